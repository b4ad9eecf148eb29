"""Active cervical range of motion: degrees per movement, with a pain flag.

Angles are in degrees from the neutral head position, always >= 0; the movement names the
direction. Bounds are plausibility limits set well above commonly quoted adult norms (textbook
values around 50–80° flexion/extension, 45° lateral flexion, 80° rotation [R]) so that only typing
errors are rejected, not unusual patients.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam.errors import ExamValidationError


class Movement(StrEnum):
    FLEXION = "flexion"
    EXTENSION = "extension"
    LATERAL_FLEXION_LEFT = "lateral_flexion_left"
    LATERAL_FLEXION_RIGHT = "lateral_flexion_right"
    ROTATION_LEFT = "rotation_left"
    ROTATION_RIGHT = "rotation_right"


#: Inclusive plausibility bounds per movement, in degrees.
MAX_ANGLE_DEG: dict[Movement, float] = {
    Movement.FLEXION: 90.0,
    Movement.EXTENSION: 100.0,
    Movement.LATERAL_FLEXION_LEFT: 70.0,
    Movement.LATERAL_FLEXION_RIGHT: 70.0,
    Movement.ROTATION_LEFT: 110.0,
    Movement.ROTATION_RIGHT: 110.0,
}


class RomMethod(StrEnum):
    VISUAL = "visual"
    GONIOMETER = "goniometer"
    INCLINOMETER = "inclinometer"
    CROM_DEVICE = "crom_device"
    OTHER = "other"


@dataclass(frozen=True)
class RomMeasurement:
    """One active movement: ``angle_deg`` in [0, MAX_ANGLE_DEG[movement]], ``painful`` if it
    reproduced or increased pain."""

    movement: Movement
    angle_deg: float
    painful: bool = False

    def __post_init__(self) -> None:
        v.choice("movement", self.movement, Movement)
        angle = v.number("angle_deg", self.angle_deg, 0.0, MAX_ANGLE_DEG[self.movement])
        object.__setattr__(self, "angle_deg", angle)
        v.boolean("painful", self.painful)


@dataclass(frozen=True)
class CervicalRom:
    """A set of movements measured with one method; each movement at most once."""

    measurements: tuple[RomMeasurement, ...]
    method: RomMethod = RomMethod.VISUAL

    def __post_init__(self) -> None:
        object.__setattr__(self, "measurements", tuple(self.measurements))
        v.choice("method", self.method, RomMethod)
        seen: set[Movement] = set()
        for m in self.measurements:
            if m.movement in seen:
                raise ExamValidationError("duplicate", "measurements", value=m.movement.value)
            seen.add(m.movement)

    def angle_deg(self, movement: Movement) -> float | None:
        return next((m.angle_deg for m in self.measurements if m.movement is movement), None)

    @property
    def painful_movements(self) -> tuple[Movement, ...]:
        return tuple(m.movement for m in self.measurements if m.painful)


def rotates_45_both_ways(measurements: Iterable[RomMeasurement]) -> bool | None:
    """The Canadian C-Spine Rule's "can actively rotate 45° left and right" item (Stiell et al.
    2001, docs/sources.md ``[stiell-2001-ccr]``): True if both rotations >= 45°, False if either
    is measured < 45°, None if a side is missing and the other is not already < 45°."""
    by = {m.movement: m.angle_deg for m in measurements}
    left, right = by.get(Movement.ROTATION_LEFT), by.get(Movement.ROTATION_RIGHT)
    if (left is not None and left < 45) or (right is not None and right < 45):
        return False
    if left is None or right is None:
        return None
    return True
