"""Leg length checks. Sources (docs/sources.md, "Leg checks"): 1/8-inch increments (Woodfield et
al. 2011), MDC 3.74 mm ("a pre/post change must exceed 3.74 mm to be real", Cooperstein et al.
2003), Derefield D-/D+ (Cooperstein 2003).
1/8 in = 25.4/8 = 3.175 mm (definition of the inch)."""

from __future__ import annotations

import pytest

from atlaschart.measure.exam import ExamValidationError
from atlaschart.measure.exam.leg_check import (
    ChangeVerdict,
    DerefieldResponse,
    EntryUnit,
    LegCheck,
    LegCheckType,
    ShortSide,
    Timing,
    compare_pre_post,
    derefield_response,
)

SUP = LegCheckType.SUPINE
RT, LT, EVEN = ShortSide.RIGHT, ShortSide.LEFT, ShortSide.EVEN
PRE, POST = Timing.PRE, Timing.POST


@pytest.mark.parametrize(
    ("eighths", "mm"),
    [
        pytest.param(1, 3.175, id="1/8in=3.175mm"),
        pytest.param(2, 6.35, id="2/8in=6.35mm"),
        pytest.param(3, 9.525, id="3/8in=9.525mm"),
        pytest.param(8, 25.4, id="1in=25.4mm"),
    ],
)
def test_eighths_convert_to_mm(eighths: int, mm: float) -> None:
    check = LegCheck.from_eighths(SUP, RT, eighths, PRE)
    assert check.magnitude_mm == pytest.approx(mm, abs=1e-9)
    assert (check.entered_value, check.entered_unit) == (eighths, EntryUnit.EIGHTH_INCH)


@pytest.mark.parametrize(
    ("side", "mm", "signed"),
    [
        pytest.param(RT, 4.0, 4.0, id="right-short-positive"),
        pytest.param(LT, 4.0, -4.0, id="left-short-negative"),
        pytest.param(EVEN, 0.0, 0.0, id="even-zero"),
    ],
)
def test_sign_convention(side: ShortSide, mm: float, signed: float) -> None:
    assert LegCheck(SUP, side, mm, PRE).signed_mm == signed


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        pytest.param(
            dict(short_side=EVEN, magnitude_mm=3.0),
            "magnitude_must_be_zero_when_even",
            "magnitude_mm",
            id="even-with-magnitude",
        ),
        pytest.param(
            dict(short_side=RT, magnitude_mm=0.0),
            "magnitude_required_when_uneven",
            "magnitude_mm",
            id="short-side-zero",
        ),
        pytest.param(
            dict(short_side=RT, magnitude_mm=51.0), "out_of_range", "magnitude_mm", id="over-50mm"
        ),
        pytest.param(
            dict(short_side=RT, magnitude_mm=float("nan")), "not_a_number", "magnitude_mm", id="nan"
        ),
        pytest.param(
            dict(short_side=RT, magnitude_mm="3"), "not_a_number", "magnitude_mm", id="string"
        ),
        pytest.param(
            dict(short_side=RT, magnitude_mm=3.0, rest_min=-1),
            "out_of_range",
            "rest_min",
            id="negative-rest",
        ),
        pytest.param(
            dict(
                short_side=RT, magnitude_mm=3.0, entered_value=1, entered_unit=EntryUnit.EIGHTH_INCH
            ),
            "entry_mismatch",
            "entered_value",
            id="1/8in-is-not-3mm",
        ),
        pytest.param(
            dict(short_side="right", magnitude_mm=3.0),
            "invalid_choice",
            "short_side",
            id="raw-string-side",
        ),
    ],
)
def test_leg_check_validation(kwargs: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(ExamValidationError) as err:
        LegCheck(check_type=SUP, timing=PRE, **kwargs)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == (code, field)


def test_eighths_bounds() -> None:
    with pytest.raises(ExamValidationError) as err:
        LegCheck.from_eighths(SUP, RT, 17, PRE)
    assert err.value.params == {"field": "magnitude_eighths", "min": 0, "max": 16, "value": 17}


def e(side: ShortSide, eighths: int, timing: Timing) -> LegCheck:
    return LegCheck.from_eighths(SUP, side, eighths, timing)


def mm(side: ShortSide, value: float, timing: Timing) -> LegCheck:
    return LegCheck(SUP, side, value, timing)


@pytest.mark.parametrize(
    ("pre", "post", "mdc", "change", "mag_change", "verdict"),
    [
        # R 2/8 -> even: 0 - 6.35 = -6.35; 6.35 > 3.74
        pytest.param(
            e(RT, 2, PRE),
            e(EVEN, 0, POST),
            3.74,
            -6.35,
            -6.35,
            ChangeVerdict.REDUCED,
            id="R2/8->even-reduced",
        ),
        # R 1/8 -> even: 3.175 <= 3.74: one eighth is within measurement error
        pytest.param(
            e(RT, 1, PRE),
            e(EVEN, 0, POST),
            3.74,
            -3.175,
            -3.175,
            ChangeVerdict.WITHIN_MDC,
            id="R1/8->even-within",
        ),
        # R 3/8 -> R 1/8: 3.175 - 9.525 = -6.35
        pytest.param(
            e(RT, 3, PRE),
            e(RT, 1, POST),
            3.74,
            -6.35,
            -6.35,
            ChangeVerdict.REDUCED,
            id="R3/8->R1/8-reduced",
        ),
        # R 1/8 -> L 1/8: -3.175 - 3.175 = -6.35, magnitude unchanged
        pytest.param(
            e(RT, 1, PRE),
            e(LT, 1, POST),
            3.74,
            -6.35,
            0.0,
            ChangeVerdict.SIDE_CHANGED,
            id="R1/8->L1/8-side-changed",
        ),
        # even -> L 2/8: -6.35 - 0
        pytest.param(
            e(EVEN, 0, PRE),
            e(LT, 2, POST),
            3.74,
            -6.35,
            6.35,
            ChangeVerdict.INCREASED,
            id="even->L2/8-increased",
        ),
        # L 5 mm -> L 1 mm: -1 - (-5) = 4.0 > 3.74
        pytest.param(
            mm(LT, 5.0, PRE),
            mm(LT, 1.0, POST),
            3.74,
            4.0,
            -4.0,
            ChangeVerdict.REDUCED,
            id="L5->L1mm-reduced",
        ),
        # L 5 mm -> L 1.26 mm: change exactly 3.74 does not *exceed* the MDC
        pytest.param(
            mm(LT, 5.0, PRE),
            mm(LT, 1.26, POST),
            3.74,
            3.74,
            -3.74,
            ChangeVerdict.WITHIN_MDC,
            id="exactly-MDC-within",
        ),
        # configurable MDC: 6.35 > 6.0 but not > 7.0
        pytest.param(
            e(RT, 2, PRE), e(EVEN, 0, POST), 6.0, -6.35, -6.35, ChangeVerdict.REDUCED, id="mdc6"
        ),
        pytest.param(
            e(RT, 2, PRE), e(EVEN, 0, POST), 7.0, -6.35, -6.35, ChangeVerdict.WITHIN_MDC, id="mdc7"
        ),
    ],
)
def test_pre_post_change(
    pre: LegCheck,
    post: LegCheck,
    mdc: float,
    change: float,
    mag_change: float,
    verdict: ChangeVerdict,
) -> None:
    res = compare_pre_post(pre, post, mdc_mm=mdc)
    assert res.change_mm == pytest.approx(change, abs=1e-9)
    assert res.magnitude_change_mm == pytest.approx(mag_change, abs=1e-9)
    assert res.verdict is verdict
    assert res.exceeds_mdc is (verdict is not ChangeVerdict.WITHIN_MDC)
    assert res.algorithm.label == "exam.leg_check_change@1"


def test_default_mdc_is_3_74() -> None:
    assert compare_pre_post(e(RT, 1, PRE), e(EVEN, 0, POST)).mdc_mm == 3.74


def test_pre_post_needs_same_type_and_order() -> None:
    with pytest.raises(ExamValidationError) as err:
        compare_pre_post(e(RT, 1, POST), e(RT, 1, PRE))
    assert err.value.code == "pre_post_mismatch"
    prone = LegCheck(LegCheckType.PRONE_EXTENDED, RT, 3.0, POST)
    with pytest.raises(ExamValidationError) as err:
        compare_pre_post(e(RT, 1, PRE), prone)
    assert err.value.code == "check_type_mismatch"
    assert err.value.params["first"] == "supine"


@pytest.mark.parametrize(
    ("ext_side", "flex_side", "expected"),
    [
        pytest.param(RT, RT, DerefieldResponse.D_MINUS, id="short-stays-short=D--Cooperstein2003"),
        pytest.param(RT, LT, DerefieldResponse.D_PLUS, id="short-becomes-long=D+-Cooperstein2003"),
        pytest.param(LT, EVEN, DerefieldResponse.BALANCES, id="balances"),
        pytest.param(EVEN, LT, DerefieldResponse.EVEN_EXTENDED, id="even-extended"),
    ],
)
def test_derefield(ext_side: ShortSide, flex_side: ShortSide, expected: DerefieldResponse) -> None:
    def check(t: LegCheckType, side: ShortSide) -> LegCheck:
        return LegCheck(t, side, 0.0 if side is EVEN else 3.175, PRE)

    ext = check(LegCheckType.PRONE_EXTENDED, ext_side)
    flex = check(LegCheckType.PRONE_KNEES_FLEXED, flex_side)
    assert derefield_response(ext, flex) is expected
