"""Paraspinal thermography readings (optional), stored as numbers.

Dual-probe instruments report the left−right skin temperature differential at each level as the
probe is glided from about T1 up to the superior nuchal line, as in Blair and Knee-Chest
practice. Units: °C.
Sign convention: ``differential_c`` = left − right (positive: left side warmer). Pattern analysis
is deliberately not computed: pattern classification reliability is poor for partial patterns
(κ 0.05–0.22, Mansholt et al. 2015) and its authors call for research before it guides
manipulation. References: docs/sources.md, "Other examination findings".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam.errors import ExamValidationError

#: Acclimation after which paraspinal patterns were stable (Hart & Owens 2004,
#: ``[hart-owens-2004-acclimation]``).
ACCLIMATION_MIN = 16.0
MAX_DIFFERENTIAL_C = 5.0  # entry bound; paraspinal differentials are typically well under 1 °C


class Instrument(StrEnum):
    DUAL_PROBE = "dual_probe"
    INFRARED_SCANNER = "infrared_scanner"
    OTHER = "other"


@dataclass(frozen=True)
class ThermoReading:
    """Differential at one level (``level``: free label such as "C1" or "T1", ≤ 16 chars)."""

    level: str
    differential_c: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", v.text("level", self.level, 16))
        diff = v.number(
            "differential_c", self.differential_c, -MAX_DIFFERENTIAL_C, MAX_DIFFERENTIAL_C
        )
        object.__setattr__(self, "differential_c", diff)


@dataclass(frozen=True)
class ThermographyScan:
    """One scan: readings in scan order (inferior to superior), acclimation time in minutes."""

    instrument: Instrument
    readings: tuple[ThermoReading, ...]
    acclimation_min: float | None = None

    def __post_init__(self) -> None:
        v.choice("instrument", self.instrument, Instrument)
        object.__setattr__(self, "readings", tuple(self.readings))
        if not self.readings:
            raise ExamValidationError("empty", "readings")
        if len(self.readings) > 200:
            raise ExamValidationError(
                "out_of_range", "readings", min=1, max=200, value=len(self.readings)
            )
        if self.acclimation_min is not None:
            acc = v.number("acclimation_min", self.acclimation_min, 0.0, 240.0)
            object.__setattr__(self, "acclimation_min", acc)

    @property
    def acclimated(self) -> bool | None:
        """True if acclimation >= 16 min (Hart & Owens 2004); None if not recorded."""
        if self.acclimation_min is None:
            return None
        return self.acclimation_min >= ACCLIMATION_MIN

    @property
    def max_abs_differential_c(self) -> float:
        return max(abs(r.differential_c) for r in self.readings)
