"""Balance tests: Romberg and the Fukuda (Unterberger) stepping test.

Sources: Fukuda 1959 (the stepping test) and Honaker et al. 2009 (its screening accuracy); see
docs/sources.md ``[fukuda-1959-stepping]``, ``[honaker-2009-fukuda]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam._validate import Side
from atlaschart.measure.exam.errors import ExamValidationError

MAX_ROMBERG_S = 300.0  # protocols use 30 or 60 s; 5 min rejects typing errors only


class Eyes(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Surface(StrEnum):
    FIRM = "firm"
    FOAM = "foam"


@dataclass(frozen=True)
class RombergTrial:
    """One Romberg trial: ``held_s`` seconds standing (feet together) before losing balance, or
    the full trial time; ``lost_balance`` True if the patient stepped, swayed to a fall or opened
    the eyes before the end."""

    eyes: Eyes
    held_s: float
    lost_balance: bool
    surface: Surface = Surface.FIRM

    def __post_init__(self) -> None:
        v.choice("eyes", self.eyes, Eyes)
        v.choice("surface", self.surface, Surface)
        object.__setattr__(self, "held_s", v.number("held_s", self.held_s, 0.0, MAX_ROMBERG_S))
        v.boolean("lost_balance", self.lost_balance)


def romberg_positive(eyes_open: RombergTrial, eyes_closed: RombergTrial) -> bool | None:
    """Romberg sign: stable with eyes open, loses balance with eyes closed (same surface).

    Returns None when the eyes-open trial already failed: the sign is then not interpretable
    (imbalance is not specific to loss of vision) and the clinician must judge.
    """
    if eyes_open.eyes is not Eyes.OPEN or eyes_closed.eyes is not Eyes.CLOSED:
        raise ExamValidationError("romberg_order", "eyes")
    if eyes_open.lost_balance:
        return None
    return eyes_closed.lost_balance


# --------------------------------------------------------------------------------------- Fukuda

#: Rotation above which a Fukuda test is called abnormal: > 45° (some use > 30°; Fukuda 1959).
DEFAULT_FUKUDA_ABNORMAL_DEG = 45.0


@dataclass(frozen=True)
class FukudaTest:
    """Fukuda stepping test: ``steps`` on the spot (50 or 100) eyes closed, arms at 90°.

    ``rotation_deg`` >= 0 is the body's turn from the start heading, ``direction`` the side it
    turned to (None iff rotation is 0). ``displacement_cm`` is the straight-line distance moved
    from the start point.
    """

    steps: int
    rotation_deg: float
    direction: Side | None
    displacement_cm: float

    def __post_init__(self) -> None:
        v.integer("steps", self.steps, 1, 200)
        rot = v.number("rotation_deg", self.rotation_deg, 0.0, 360.0)
        object.__setattr__(self, "rotation_deg", rot)
        if rot > 0 and self.direction is None:
            raise ExamValidationError("direction_required", "direction")
        if rot == 0 and self.direction is not None:
            raise ExamValidationError("direction_must_be_none", "direction")
        if self.direction is not None:
            v.choice("direction", self.direction, Side)
        disp = v.number("displacement_cm", self.displacement_cm, 0.0, 500.0)
        object.__setattr__(self, "displacement_cm", disp)

    def abnormal(self, threshold_deg: float = DEFAULT_FUKUDA_ABNORMAL_DEG) -> bool:
        """Rotation strictly above ``threshold_deg`` (default 45°; Fukuda 1959). The test screens
        poorly for vestibular asymmetry (Honaker et al. 2009); this is a descriptive flag."""
        limit = v.number("threshold_deg", threshold_deg, 0.0, 360.0)
        return self.rotation_deg > limit
