"""Cervical ROM, Romberg, Fukuda, scoliosis screen, blood pressure, thermography.

Sources per case in the ids (full references in docs/sources.md): safety-screen rule V7
(BP >= 180/110, grade 3 hypertension of Williams et al. 2018) and rule X2 (unequal arm BP, 20 mmHg
after Hiratzka et al. 2010); Stiell et al. 2001 (Canadian C-Spine Rule, 45° rotation); Fukuda 1959
(rotation > 45°); Hart & Owens 2004 (16 min acclimation); Scoliosis 2012;7(Suppl 1):O60 (ATR >= 7°
referral).
"""

from __future__ import annotations

import pytest

from atlaschart.measure.exam import ExamValidationError, Side
from atlaschart.measure.exam.balance import Eyes, FukudaTest, RombergTrial, romberg_positive
from atlaschart.measure.exam.blood_pressure import (
    BilateralBloodPressure,
    BloodPressure,
    BpRules,
    blood_pressure_flags,
)
from atlaschart.measure.exam.cervical_rom import (
    CervicalRom,
    Movement,
    RomMeasurement,
    rotates_45_both_ways,
)
from atlaschart.measure.exam.scoliosis import (
    ScoliometerReading,
    ScoliosisScreen,
    SpineRegion,
    scoliosis_referral,
)
from atlaschart.measure.exam.thermography import Instrument, ThermographyScan, ThermoReading

L, R = Side.LEFT, Side.RIGHT

# ------------------------------------------------------------------------------------ ROM


def test_rom_bounds_and_pain() -> None:
    rom = CervicalRom(
        (RomMeasurement(Movement.FLEXION, 50, painful=True), RomMeasurement(Movement.EXTENSION, 60))
    )
    assert rom.angle_deg(Movement.FLEXION) == 50.0
    assert rom.angle_deg(Movement.ROTATION_LEFT) is None
    assert rom.painful_movements == (Movement.FLEXION,)
    with pytest.raises(ExamValidationError) as err:
        RomMeasurement(Movement.FLEXION, 91)
    assert err.value.params == {"field": "angle_deg", "min": 0.0, "max": 90.0, "value": 91}
    with pytest.raises(ExamValidationError) as err:
        RomMeasurement(Movement.ROTATION_LEFT, -5)
    assert err.value.code == "out_of_range"
    with pytest.raises(ExamValidationError) as err:
        CervicalRom((RomMeasurement(Movement.FLEXION, 50), RomMeasurement(Movement.FLEXION, 40)))
    assert err.value.code == "duplicate"


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param(45, 45, True, id="45-both=can-rotate(CCR)"),
        pytest.param(44, 80, False, id="44-left=cannot(CCR)"),
        pytest.param(None, 30, False, id="right-30-already-fails"),
        pytest.param(None, 60, None, id="left-missing-unknown"),
    ],
)
def test_canadian_rotation_item(
    left: float | None, right: float | None, expected: bool | None
) -> None:
    ms = []
    if left is not None:
        ms.append(RomMeasurement(Movement.ROTATION_LEFT, left))
    if right is not None:
        ms.append(RomMeasurement(Movement.ROTATION_RIGHT, right))
    assert rotates_45_both_ways(ms) is expected


# ------------------------------------------------------------------------------- balance


@pytest.mark.parametrize(
    ("open_lost", "closed_lost", "expected"),
    [
        pytest.param(False, True, True, id="stable-open-falls-closed=positive"),
        pytest.param(False, False, False, id="stable-both=negative"),
        pytest.param(True, True, None, id="falls-eyes-open=not-interpretable"),
    ],
)
def test_romberg(open_lost: bool, closed_lost: bool, expected: bool | None) -> None:
    eo = RombergTrial(Eyes.OPEN, 12.0 if open_lost else 30.0, open_lost)
    ec = RombergTrial(Eyes.CLOSED, 12.0 if closed_lost else 30.0, closed_lost)
    assert romberg_positive(eo, ec) is expected


def test_romberg_validation() -> None:
    t = RombergTrial(Eyes.OPEN, 30, False)
    with pytest.raises(ExamValidationError) as err:
        romberg_positive(t, t)
    assert err.value.code == "romberg_order"
    with pytest.raises(ExamValidationError):
        RombergTrial(Eyes.CLOSED, 301, False)


@pytest.mark.parametrize(
    ("rotation", "threshold", "abnormal"),
    [
        pytest.param(46.0, 45.0, True, id="46>45-abnormal-Fukuda1959"),
        pytest.param(45.0, 45.0, False, id="45-not>45-Fukuda1959"),
        pytest.param(35.0, 30.0, True, id="35>30-alt-threshold-Fukuda1959"),
    ],
)
def test_fukuda(rotation: float, threshold: float, abnormal: bool) -> None:
    assert FukudaTest(50, rotation, R, 80.0).abnormal(threshold) is abnormal


def test_fukuda_direction_rules() -> None:
    assert FukudaTest(100, 0, None, 0).abnormal() is False
    with pytest.raises(ExamValidationError) as err:
        FukudaTest(50, 10, None, 20)
    assert (err.value.code, err.value.field) == ("direction_required", "direction")
    with pytest.raises(ExamValidationError) as err:
        FukudaTest(50, 0, L, 20)
    assert err.value.code == "direction_must_be_none"


# ----------------------------------------------------------------------------- scoliosis


@pytest.mark.parametrize(
    ("atrs", "threshold", "max_atr", "refer"),
    [
        pytest.param((7.0,), 7.0, 7.0, True, id="7-at-threshold-refers(O60)"),
        pytest.param((6.5, 3.0), 7.0, 6.5, False, id="6.5-below-7"),
        pytest.param((6.5,), 5.0, 6.5, True, id="clinic-threshold-5"),
        pytest.param((), 7.0, None, None, id="no-scoliometer"),
    ],
)
def test_scoliosis_referral(
    atrs: tuple[float, ...], threshold: float, max_atr: float | None, refer: bool | None
) -> None:
    regions = list(SpineRegion)
    readings = tuple(ScoliometerReading(regions[i], a, R) for i, a in enumerate(atrs))
    res = scoliosis_referral(ScoliosisScreen(True, R, readings), threshold)
    assert (res.max_atr_deg, res.refer) == (max_atr, refer)


def test_scoliosis_validation() -> None:
    with pytest.raises(ExamValidationError) as err:
        ScoliometerReading(SpineRegion.LUMBAR, 31, L)
    assert err.value.params["max"] == 30.0
    with pytest.raises(ExamValidationError) as err:
        ScoliometerReading(SpineRegion.LUMBAR, 4, None)
    assert err.value.code == "side_required"
    with pytest.raises(ExamValidationError) as err:
        ScoliosisScreen(False, L)
    assert err.value.code == "side_must_be_empty"


# ------------------------------------------------------------------------- blood pressure


def bp(left: tuple[int, int] | None, right: tuple[int, int] | None) -> BilateralBloodPressure:
    return BilateralBloodPressure(
        None if left is None else BloodPressure(*left),
        None if right is None else BloodPressure(*right),
    )


@pytest.mark.parametrize(
    ("reading", "rules", "high", "unequal", "diff"),
    [
        pytest.param(
            bp((182, 100), (150, 90)),
            BpRules(),
            True,
            True,
            32,
            id="182-systolic>=180(V7)-diff32>20(X2)",
        ),
        pytest.param(
            bp((150, 110), (139, 80)), BpRules(), True, False, 11, id="diastolic-110>=110(V7)"
        ),
        pytest.param(bp((179, 109), (175, 100)), BpRules(), False, False, 4, id="179/109-below"),
        pytest.param(
            bp((150, 90), (130, 85)), BpRules(), False, False, 20, id="diff-exactly-20-not>20"
        ),
        pytest.param(
            bp((139, 80), (150, 90)),
            BpRules(inter_arm_systolic_mmhg=10),
            False,
            True,
            -11,
            id="clinic-threshold-10",
        ),
        pytest.param(bp((120, 80), None), BpRules(), False, None, None, id="one-arm"),
        pytest.param(bp(None, (185, 90)), BpRules(), True, None, None, id="right-only-high"),
    ],
)
def test_bp_flags(
    reading: BilateralBloodPressure,
    rules: BpRules,
    high: bool,
    unequal: bool | None,
    diff: int | None,
) -> None:
    flags = blood_pressure_flags(reading, rules)
    assert (flags.bp_high, flags.inter_arm_difference, flags.inter_arm_systolic_mmhg) == (
        high,
        unequal,
        diff,
    )
    assert flags.as_safety_signs() == {"bp_high": high, "inter_arm_bp_difference": unequal}


@pytest.mark.parametrize(
    ("args", "code", "field"),
    [
        pytest.param((120, 120), "diastolic_not_below_systolic", "diastolic_mmhg", id="dia=sys"),
        pytest.param((301, 80), "out_of_range", "systolic_mmhg", id="sys>300"),
        pytest.param((120.5, 80), "not_an_integer", "systolic_mmhg", id="float"),
        pytest.param((120, 80, 10), "out_of_range", "pulse_bpm", id="pulse<20"),
    ],
)
def test_bp_validation(args: tuple[object, ...], code: str, field: str) -> None:
    with pytest.raises(ExamValidationError) as err:
        BloodPressure(*args)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == (code, field)


def test_bp_needs_an_arm() -> None:
    with pytest.raises(ExamValidationError) as err:
        BilateralBloodPressure(None, None)
    assert err.value.code == "required"


# --------------------------------------------------------------------------- thermography


@pytest.mark.parametrize(
    ("minutes", "acclimated"),
    [
        pytest.param(16.0, True, id="16min-stable-HartOwens2004"),
        pytest.param(15.9, False, id="15.9min-HartOwens2004"),
        pytest.param(None, None, id="not-recorded"),
    ],
)
def test_thermography_acclimation(minutes: float | None, acclimated: bool | None) -> None:
    scan = ThermographyScan(
        Instrument.DUAL_PROBE, (ThermoReading("C1", 0.4), ThermoReading("C2", -0.6)), minutes
    )
    assert scan.acclimated is acclimated
    assert scan.max_abs_differential_c == 0.6


def test_thermography_validation() -> None:
    with pytest.raises(ExamValidationError) as err:
        ThermoReading("C1", 6.0)
    assert err.value.code == "out_of_range"
    with pytest.raises(ExamValidationError) as err:
        ThermoReading("  ", 0.1)
    assert (err.value.code, err.value.field) == ("required", "level")
    with pytest.raises(ExamValidationError) as err:
        ThermographyScan(Instrument.OTHER, ())
    assert err.value.code == "empty"
