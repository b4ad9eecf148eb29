"""Leg length checks (functional leg length inequality) and the pre→post change.

Sign convention: ``signed_mm`` is +magnitude when the RIGHT leg is short, −magnitude when the LEFT
leg is short, 0 when even. Units: millimetres; entries in eighths of an inch are converted with
1/8 in = 3.175 mm exactly (1 in = 25.4 mm) and the original entry is kept.
Sources (full references in docs/sources.md, "Leg checks"): Woodfield et al. 2011 (supine check in
eighths of an inch), Schneider et al. 2007 (prone checks), Cooperstein 2003 (Derifield reading),
Cooperstein et al. 2003 (MDC of 3.74 mm), Knutson 2005 (size of functional and anatomic LLI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam.errors import ExamValidationError
from atlaschart.measure.provenance import Algorithm

MM_PER_EIGHTH_INCH = 25.4 / 8  # 3.175 mm, exact by the definition of the inch

#: Entry bound. Functional LLI readings are a few mm (Cooperstein et al. 2003; Knutson 2005);
#: 50 mm (~2 in) leaves room for anatomic inequality while rejecting typing errors (e.g. 350 for
#: 3.50).
MAX_MAGNITUDE_MM = 50.0
MAX_EIGHTHS = 16  # 2 inches
MAX_REST_MIN = 240.0


class LegCheckType(StrEnum):
    """Position/procedure of the check (the checks of Woodfield et al. 2011 and Schneider et al.
    2007)."""

    SUPINE = "supine"
    PRONE_EXTENDED = "prone_extended"
    PRONE_KNEES_FLEXED = "prone_knees_flexed"  # Derefield (Thompson; Cooperstein 2003)
    CERVICAL_SYNDROME_HEAD_RIGHT = "cervical_syndrome_head_right"
    CERVICAL_SYNDROME_HEAD_LEFT = "cervical_syndrome_head_left"
    PRILL = "prill"  # modified Prill leg check / Prill push (no published reliability study)


class ShortSide(StrEnum):
    RIGHT = "right"
    LEFT = "left"
    EVEN = "even"


class Timing(StrEnum):
    PRE = "pre"
    POST = "post"


class EntryUnit(StrEnum):
    MM = "mm"
    EIGHTH_INCH = "eighth_inch"


@dataclass(frozen=True)
class LegCheck:
    """One leg length check.

    ``magnitude_mm`` >= 0 (0 iff ``short_side`` is EVEN, at most 50 mm). ``rest_min``: minutes of
    rest before the check (post checks usually follow a rest period), None if not recorded.
    ``entered_value``/``entered_unit`` keep what the clinician typed (notes: "keep original unit").
    ``prill_level``: the vertebra pushed in a Prill check (free text, e.g. "C1"), optional.
    Build from eighths of an inch with :meth:`from_eighths`.
    """

    check_type: LegCheckType
    short_side: ShortSide
    magnitude_mm: float
    timing: Timing
    rest_min: float | None = None
    entered_value: float | None = None
    entered_unit: EntryUnit = EntryUnit.MM
    prill_level: str | None = None

    def __post_init__(self) -> None:
        v.choice("check_type", self.check_type, LegCheckType)
        v.choice("short_side", self.short_side, ShortSide)
        v.choice("timing", self.timing, Timing)
        v.choice("entered_unit", self.entered_unit, EntryUnit)
        mag = v.number("magnitude_mm", self.magnitude_mm, 0.0, MAX_MAGNITUDE_MM)
        object.__setattr__(self, "magnitude_mm", mag)
        if self.short_side is ShortSide.EVEN and mag != 0:
            raise ExamValidationError("magnitude_must_be_zero_when_even", "magnitude_mm")
        if self.short_side is not ShortSide.EVEN and mag == 0:
            raise ExamValidationError("magnitude_required_when_uneven", "magnitude_mm")
        if self.rest_min is not None:
            object.__setattr__(
                self, "rest_min", v.number("rest_min", self.rest_min, 0.0, MAX_REST_MIN)
            )
        if self.entered_value is None:
            object.__setattr__(self, "entered_value", mag)
        else:
            hi = MAX_EIGHTHS if self.entered_unit is EntryUnit.EIGHTH_INCH else MAX_MAGNITUDE_MM
            entered = v.number("entered_value", self.entered_value, 0.0, hi)
            object.__setattr__(self, "entered_value", entered)
            as_mm = (
                entered * MM_PER_EIGHTH_INCH
                if self.entered_unit is EntryUnit.EIGHTH_INCH
                else entered
            )
            if abs(as_mm - mag) > 1e-6:
                # The kept entry must reproduce the stored millimetres.
                raise ExamValidationError("entry_mismatch", "entered_value", value=entered)
        if self.prill_level is not None:
            object.__setattr__(self, "prill_level", v.text("prill_level", self.prill_level, 16))

    @classmethod
    def from_eighths(
        cls,
        check_type: LegCheckType,
        short_side: ShortSide,
        eighths: int,
        timing: Timing,
        rest_min: float | None = None,
        prill_level: str | None = None,
    ) -> LegCheck:
        """Build from a magnitude in eighths of an inch (the NUCCA supine check's unit; Woodfield
        et al. 2011)."""
        n = v.integer("magnitude_eighths", eighths, 0, MAX_EIGHTHS)
        return cls(
            check_type,
            short_side,
            n * MM_PER_EIGHTH_INCH,
            timing,
            rest_min,
            entered_value=float(n),
            entered_unit=EntryUnit.EIGHTH_INCH,
            prill_level=prill_level,
        )

    @property
    def signed_mm(self) -> float:
        """+magnitude if the right leg is short, −magnitude if the left, 0 if even."""
        if self.short_side is ShortSide.RIGHT:
            return self.magnitude_mm
        if self.short_side is ShortSide.LEFT:
            return -self.magnitude_mm
        return 0.0


# ----------------------------------------------------------------------------- pre -> post change

LEG_CHECK_CHANGE = Algorithm("exam.leg_check_change", "1")

#: Minimal detectable change of a pre/post leg check: "a pre/post change must exceed 3.74 mm to be
#: real" (Cooperstein et al. 2003, compressive leg checking; docs/sources.md
#: ``[cooperstein-2003-compressive]``). It was measured with
#: an instrumented compressive check, so for visual checks it is a lower bound on the real error.
DEFAULT_MDC_MM = 3.74


class ChangeVerdict(StrEnum):
    WITHIN_MDC = "within_mdc"  # |change| <= MDC: not distinguishable from measurement error
    REDUCED = "reduced"  # inequality got smaller by more than the MDC
    INCREASED = "increased"  # inequality got larger by more than the MDC
    SIDE_CHANGED = "side_changed"  # reading moved by more than the MDC but the size stayed equal


@dataclass(frozen=True)
class LegCheckChange:
    """Pre→post comparison of two checks of the same type.

    ``change_mm`` = post.signed_mm − pre.signed_mm (see module sign convention).
    ``magnitude_change_mm`` = |post| − |pre| (negative = inequality reduced).
    ``exceeds_mdc``: |change_mm| > ``mdc_mm`` (strictly, as the source says "exceed").
    """

    change_mm: float
    magnitude_change_mm: float
    mdc_mm: float
    exceeds_mdc: bool
    verdict: ChangeVerdict
    algorithm: Algorithm = field(default=LEG_CHECK_CHANGE)


def compare_pre_post(
    pre: LegCheck, post: LegCheck, mdc_mm: float = DEFAULT_MDC_MM
) -> LegCheckChange:
    """Compare a pre-adjustment and a post-adjustment check against the MDC (default 3.74 mm)."""
    mdc = v.number("mdc_mm", mdc_mm, 0.0, MAX_MAGNITUDE_MM)
    if pre.timing is not Timing.PRE or post.timing is not Timing.POST:
        raise ExamValidationError("pre_post_mismatch", "timing")
    if pre.check_type is not post.check_type:
        raise ExamValidationError(
            "check_type_mismatch",
            "check_type",
            first=pre.check_type.value,
            second=post.check_type.value,
        )
    # Round away float noise from the 1/8-inch conversion so 2/8 - 1/8 compares cleanly.
    change = round(post.signed_mm - pre.signed_mm, 6)
    mag_change = round(post.magnitude_mm - pre.magnitude_mm, 6)
    exceeds = abs(change) > mdc
    if not exceeds:
        verdict = ChangeVerdict.WITHIN_MDC
    elif mag_change < 0:
        verdict = ChangeVerdict.REDUCED
    elif mag_change > 0:
        verdict = ChangeVerdict.INCREASED
    else:
        verdict = ChangeVerdict.SIDE_CHANGED
    return LegCheckChange(change, mag_change, mdc, exceeds, verdict)


class DerefieldResponse(StrEnum):
    """Derefield (Thompson) response on knee flexion (Cooperstein 2003, "Derifield and me")."""

    D_MINUS = "d_minus"  # the short leg stays short
    D_PLUS = "d_plus"  # the short leg becomes the long leg
    BALANCES = "balances"  # legs become even
    EVEN_EXTENDED = "even_extended"  # no short leg with knees extended: nothing to classify


def derefield_response(extended: LegCheck, flexed: LegCheck) -> DerefieldResponse:
    """Classify a prone knees-extended check followed by a knees-flexed check: D− when the short
    leg stays short, D+ when it becomes the long leg on flexion (Cooperstein 2003)."""
    if extended.check_type is not LegCheckType.PRONE_EXTENDED:
        raise ExamValidationError(
            "check_type_mismatch",
            "check_type",
            first=extended.check_type.value,
            second=LegCheckType.PRONE_EXTENDED.value,
        )
    if flexed.check_type is not LegCheckType.PRONE_KNEES_FLEXED:
        raise ExamValidationError(
            "check_type_mismatch",
            "check_type",
            first=flexed.check_type.value,
            second=LegCheckType.PRONE_KNEES_FLEXED.value,
        )
    if extended.short_side is ShortSide.EVEN:
        return DerefieldResponse.EVEN_EXTENDED
    if flexed.short_side is ShortSide.EVEN:
        return DerefieldResponse.BALANCES
    if flexed.short_side is extended.short_side:
        return DerefieldResponse.D_MINUS
    return DerefieldResponse.D_PLUS
