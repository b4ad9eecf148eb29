"""Scoliosis screen: Adam's forward bend test and scoliometer angle of trunk rotation (ATR).

ATR in degrees, >= 0, read on the scoliometer's 0–30° scale; the side is where the rib or lumbar
hump is. Referral when the largest ATR is at or above the threshold: default 7°, the usual
school-screening cut-off ("further evaluation is recommended when ATI is equal or above 7°",
SOSORT meeting abstract, Scoliosis 2012;7(Suppl 1):O60; the scoliometer ATR is Bunnell 1984).
References: docs/sources.md ``[sosort-2012-o60]``, ``[bunnell-1984-scoliometer]``. Configurable per
clinic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam._validate import Side
from atlaschart.measure.exam.errors import ExamValidationError
from atlaschart.measure.provenance import Algorithm

SCOLIOSIS_SCREEN = Algorithm("exam.scoliosis_screen", "1")
DEFAULT_ATR_REFERRAL_DEG = 7.0
MAX_ATR_DEG = 30.0  # end of the scoliometer scale


class SpineRegion(StrEnum):
    THORACIC = "thoracic"
    THORACOLUMBAR = "thoracolumbar"
    LUMBAR = "lumbar"


@dataclass(frozen=True)
class ScoliometerReading:
    """ATR at one region; ``side`` is None iff ``atr_deg`` is 0."""

    region: SpineRegion
    atr_deg: float
    side: Side | None

    def __post_init__(self) -> None:
        v.choice("region", self.region, SpineRegion)
        atr = v.number("atr_deg", self.atr_deg, 0.0, MAX_ATR_DEG)
        object.__setattr__(self, "atr_deg", atr)
        if atr > 0 and self.side is None:
            raise ExamValidationError("side_required", "side")
        if atr == 0 and self.side is not None:
            raise ExamValidationError("side_must_be_empty", "side")
        if self.side is not None:
            v.choice("side", self.side, Side)


@dataclass(frozen=True)
class ScoliosisScreen:
    """Adam's test (``adams_positive``: visible asymmetry on forward bending; ``hump_side`` given
    iff positive) plus optional scoliometer readings, one per region."""

    adams_positive: bool
    hump_side: Side | None = None
    readings: tuple[ScoliometerReading, ...] = ()

    def __post_init__(self) -> None:
        v.boolean("adams_positive", self.adams_positive)
        if self.adams_positive and self.hump_side is None:
            raise ExamValidationError("side_required", "hump_side")
        if not self.adams_positive and self.hump_side is not None:
            raise ExamValidationError("side_must_be_empty", "hump_side")
        if self.hump_side is not None:
            v.choice("hump_side", self.hump_side, Side)
        object.__setattr__(self, "readings", tuple(self.readings))
        regions = [r.region for r in self.readings]
        for region in regions:
            if regions.count(region) > 1:
                raise ExamValidationError("duplicate", "readings", value=region.value)


@dataclass(frozen=True)
class ScoliosisReferral:
    """``refer`` is True when the maximum ATR >= ``threshold_deg``; ``max_atr_deg`` is None
    without scoliometer readings (then ``refer`` is None: Adam's test alone does not decide)."""

    max_atr_deg: float | None
    threshold_deg: float
    refer: bool | None
    algorithm: Algorithm = field(default=SCOLIOSIS_SCREEN)


def scoliosis_referral(
    screen: ScoliosisScreen, threshold_deg: float = DEFAULT_ATR_REFERRAL_DEG
) -> ScoliosisReferral:
    """Apply the ATR referral threshold (default 7°, inclusive)."""
    limit = v.number("threshold_deg", threshold_deg, 1.0, MAX_ATR_DEG)
    if not screen.readings:
        return ScoliosisReferral(None, limit, None)
    top = max(r.atr_deg for r in screen.readings)
    return ScoliosisReferral(top, limit, top >= limit)
