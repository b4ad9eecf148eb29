"""Blood pressure in both arms, the inter-arm difference, and the safety-screen BP flags.

Units: mmHg (pressures), beats/min (pulse); whole numbers as cuffs report them. Entry bounds are
plausibility limits that reject typing errors, not clinical categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam.errors import ExamValidationError
from atlaschart.measure.provenance import Algorithm

BP_FLAGS = Algorithm("exam.blood_pressure_flags", "1")

SYSTOLIC_RANGE = (50, 300)
DIASTOLIC_RANGE = (20, 200)
PULSE_RANGE = (20, 250)


@dataclass(frozen=True)
class BloodPressure:
    """One seated reading in one arm. Diastolic must be below systolic."""

    systolic_mmhg: int
    diastolic_mmhg: int
    pulse_bpm: int | None = None

    def __post_init__(self) -> None:
        sys_ = v.integer("systolic_mmhg", self.systolic_mmhg, *SYSTOLIC_RANGE)
        dia = v.integer("diastolic_mmhg", self.diastolic_mmhg, *DIASTOLIC_RANGE)
        if dia >= sys_:
            raise ExamValidationError("diastolic_not_below_systolic", "diastolic_mmhg")
        if self.pulse_bpm is not None:
            v.integer("pulse_bpm", self.pulse_bpm, *PULSE_RANGE)


@dataclass(frozen=True)
class BilateralBloodPressure:
    """Readings of the left and right arm (either may be missing, not both)."""

    left: BloodPressure | None
    right: BloodPressure | None

    def __post_init__(self) -> None:
        if self.left is None and self.right is None:
            raise ExamValidationError("required", "left")
        for name in ("left", "right"):
            arm = getattr(self, name)
            if arm is not None and not isinstance(arm, BloodPressure):
                raise ExamValidationError(
                    "invalid_choice", name, choices="BloodPressure", value=arm
                )

    @property
    def inter_arm_systolic_mmhg(self) -> int | None:
        """Left − right systolic pressure; None unless both arms were measured."""
        if self.left is None or self.right is None:
            return None
        return self.left.systolic_mmhg - self.right.systolic_mmhg


@dataclass(frozen=True)
class BpRules:
    """Configurable BP thresholds.

    ``high_systolic_mmhg``/``high_diastolic_mmhg``: safety-screen rule V7, "BP >= 180/110 at the
    visit" → H + routine referral. The numbers are those of grade 3 hypertension (Williams et al.
    2018, ESC/ESH guideline); using them to hold thrust techniques is AtlasChart's local policy
    choice [U] (docs/sources.md ``[williams-2018-esc-esh]``, ``[atlaschart-action-levels]``).
    Met when either pressure reaches its threshold in either arm.
    ``inter_arm_systolic_mmhg``: safety-screen rule X2 lists "unequal arm BP" without a number.
    Default: a systolic difference > 20 mmHg, the figure usually quoted for aortic dissection from
    the thoracic aortic disease guideline (Hiratzka et al. 2010, ``[hiratzka-2010-aortic]``; taken
    from secondary sources, not re-read [R]). Clinicians should confirm it.
    """

    high_systolic_mmhg: int = 180
    high_diastolic_mmhg: int = 110
    inter_arm_systolic_mmhg: int = 20

    def __post_init__(self) -> None:
        v.integer("high_systolic_mmhg", self.high_systolic_mmhg, *SYSTOLIC_RANGE)
        v.integer("high_diastolic_mmhg", self.high_diastolic_mmhg, *DIASTOLIC_RANGE)
        v.integer("inter_arm_systolic_mmhg", self.inter_arm_systolic_mmhg, 1, 100)


@dataclass(frozen=True)
class BpFlags:
    """``bp_high``: V7 threshold met. ``inter_arm_difference``: |left − right| systolic >
    threshold, None with one arm only. ``inter_arm_systolic_mmhg`` = left − right."""

    bp_high: bool
    inter_arm_difference: bool | None
    inter_arm_systolic_mmhg: int | None
    algorithm: Algorithm = field(default=BP_FLAGS)

    def as_safety_signs(self) -> dict[str, bool | None]:
        """Clinician-sign keys for the safety screen: ``bp_high`` (V7) and
        ``inter_arm_bp_difference`` (X2)."""
        return {"bp_high": self.bp_high, "inter_arm_bp_difference": self.inter_arm_difference}


def blood_pressure_flags(bp: BilateralBloodPressure, rules: BpRules | None = None) -> BpFlags:
    """Evaluate the V7 (high BP) and X2 (unequal arm BP) items of the safety table."""
    rules = rules or BpRules()
    arms = [a for a in (bp.left, bp.right) if a is not None]
    high = any(
        a.systolic_mmhg >= rules.high_systolic_mmhg or a.diastolic_mmhg >= rules.high_diastolic_mmhg
        for a in arms
    )
    diff = bp.inter_arm_systolic_mmhg
    unequal = None if diff is None else abs(diff) > rules.inter_arm_systolic_mmhg
    return BpFlags(high, unequal, diff)
