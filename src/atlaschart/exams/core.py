"""Adapters between stored raw exam inputs (flat JSON dicts, as the forms clean them) and the pure
measurement core ``atlaschart.measure.exam``.

``build(kind, raw, age_years)`` validates the raw inputs through the core value objects and returns
``(derived, summary)``: ``derived`` maps each computed value to a JSON value and names the
algorithm(s) as ``id@version`` under ``"algorithms"``. It raises ``ExamValidationError`` for input
the core rejects; the forms turn that into a translated field error. No Django model access here,
so it can recompute derived values from stored raw inputs at any time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from atlaschart.measure.exam import ExamValidationError, Side, parse_choice
from atlaschart.measure.exam.balance import (
    Eyes,
    FukudaTest,
    RombergTrial,
    Surface,
    romberg_positive,
)
from atlaschart.measure.exam.blood_pressure import (
    BP_FLAGS,
    BilateralBloodPressure,
    BloodPressure,
    blood_pressure_flags,
)
from atlaschart.measure.exam.cervical_rom import CervicalRom, Movement, RomMeasurement, RomMethod
from atlaschart.measure.exam.leg_check import (
    LegCheck,
    LegCheckType,
    ShortSide,
    Timing,
    compare_pre_post,
)
from atlaschart.measure.exam.neuro import (
    COOK_CLUSTER,
    Clonus,
    ClonusSite,
    DeepTendonReflex,
    Gait,
    GaitPattern,
    NeuroExam,
    PathologicalReflex,
    PathologicalSign,
    Reflex,
    ReflexScale,
    cook_myelopathy_cluster,
    umn_safety_signs,
)
from atlaschart.measure.exam.scoliosis import (
    ScoliometerReading,
    ScoliosisScreen,
    SpineRegion,
    scoliosis_referral,
)
from atlaschart.measure.exam.thermography import Instrument, ThermographyScan, ThermoReading

SIDES = ("left", "right")
Raw = dict[str, Any]


def mdc_mm() -> float:
    """Minimal detectable change for pre/post leg checks; settings.ATLASCHART_LEG_CHECK_MDC_MM."""
    return float(getattr(settings, "ATLASCHART_LEG_CHECK_MDC_MM", 3.74))


def atr_referral_deg() -> float:
    """Scoliometer referral threshold; settings.ATLASCHART_ATR_REFERRAL_DEG (default 7°)."""
    return float(getattr(settings, "ATLASCHART_ATR_REFERRAL_DEG", 7.0))


def _side(field: str, raw: object) -> Side | None:
    return None if raw in (None, "") else parse_choice(Side, field, raw)


# ----------------------------------------------------------------------------------- neuro


def neuro_exam(raw: Raw) -> NeuroExam:
    scale = parse_choice(ReflexScale, "scale", raw.get("scale") or ReflexScale.NINDS.value)
    reflexes = [
        DeepTendonReflex(reflex, Side(side), scale, grade, bool(raw.get("reinforced")))
        for reflex in Reflex
        for side in SIDES
        if (grade := raw.get(f"reflex_{reflex.value}_{side}")) is not None
    ]
    pathological = [
        PathologicalReflex(sign, Side(side), raw[key] == "positive")
        for sign in PathologicalSign
        for side in SIDES
        if raw.get(key := f"{sign.value}_{side}") in ("positive", "negative")
    ]
    clonus = [
        Clonus(
            ClonusSite.ANKLE,
            Side(side),
            raw.get(f"clonus_{side}_beats"),
            bool(raw.get(f"clonus_{side}_sustained")),
        )
        for side in SIDES
        if raw.get(f"clonus_{side}_beats") is not None or raw.get(f"clonus_{side}_sustained")
    ]
    gait = None
    if raw.get("gait") in ("normal", "abnormal"):
        pattern = raw.get("gait_pattern") or None
        gait = Gait(
            raw["gait"] == "abnormal",
            None if pattern is None else parse_choice(GaitPattern, "gait_pattern", pattern),
        )
    return NeuroExam(tuple(reflexes), tuple(pathological), tuple(clonus), gait=gait)


def _neuro(raw: Raw, age_years: int | None) -> tuple[Raw, str]:
    exam = neuro_exam(raw)
    cook = cook_myelopathy_cluster(exam, age_years)
    signs = umn_safety_signs(exam, age_years)
    derived = {
        "cook_positive_count": cook.positive_count,
        "cook_missing_count": cook.missing_count,
        "cook_interpretation": cook.interpretation.value,
        "umn_signs": signs,
        "algorithms": [COOK_CLUSTER.label],
    }
    positive = [k for k, val in signs.items() if val is True]
    summary = f"Cook {cook.positive_count}/5 ({cook.interpretation.value})"
    if positive:
        summary += "; UMN: " + ", ".join(positive)
    return derived, summary


# ------------------------------------------------------------------------------ leg check


def leg_check(raw: Raw, timing: str) -> LegCheck:
    check_type = parse_choice(LegCheckType, "check_type", raw.get("check_type"))
    short = parse_choice(ShortSide, "short_side", raw.get("short_side"))
    when = parse_choice(Timing, "timing", timing)
    magnitude = raw.get("magnitude")
    rest = raw.get("rest_min")
    if raw.get("unit") == "eighth_inch":
        if isinstance(magnitude, float) and magnitude.is_integer():
            magnitude = int(magnitude)
        return LegCheck.from_eighths(check_type, short, magnitude, when, rest)  # type: ignore[arg-type]
    return LegCheck(check_type, short, magnitude, when, rest)  # type: ignore[arg-type]


def _leg(raw: Raw, timing: str, pre_raw: Raw | None) -> tuple[Raw, str]:
    check = leg_check(raw, timing)
    derived: Raw = {
        "magnitude_mm": round(check.magnitude_mm, 3),
        "signed_mm": round(check.signed_mm, 3),
    }
    summary = f"{check.timing.value}: {check.short_side.value} short {check.magnitude_mm:.2f} mm"
    if pre_raw is not None and check.timing is Timing.POST:
        change = compare_pre_post(leg_check(pre_raw, "pre"), check, mdc_mm())
        derived.update(
            change_mm=change.change_mm,
            magnitude_change_mm=change.magnitude_change_mm,
            mdc_mm=change.mdc_mm,
            exceeds_mdc=change.exceeds_mdc,
            verdict=change.verdict.value,
            algorithms=[change.algorithm.label],
        )
        summary += f"; change {change.change_mm:+.2f} mm ({change.verdict.value})"
    return derived, summary


# ------------------------------------------------------------------------------ other kinds


def _rom(raw: Raw) -> tuple[Raw, str]:
    rom = CervicalRom(
        tuple(
            RomMeasurement(m, raw[f"angle_{m.value}"], bool(raw.get(f"pain_{m.value}")))
            for m in Movement
            if raw.get(f"angle_{m.value}") is not None
        ),
        parse_choice(RomMethod, "method", raw.get("method") or "visual"),
    )
    painful = [m.value for m in rom.painful_movements]
    summary = ", ".join(f"{m.movement.value} {m.angle_deg:g}°" for m in rom.measurements)
    return {"painful_movements": painful}, summary


def _romberg(raw: Raw) -> tuple[Raw, str]:
    surface = parse_choice(Surface, "surface", raw.get("surface") or "firm")
    opened = RombergTrial(Eyes.OPEN, raw.get("open_held_s"), bool(raw.get("open_lost")), surface)  # type: ignore[arg-type]
    closed = RombergTrial(
        Eyes.CLOSED, raw.get("closed_held_s"), bool(raw.get("closed_lost")), surface
    )  # type: ignore[arg-type]
    positive = romberg_positive(opened, closed)
    label = {True: "positive", False: "negative", None: "not interpretable"}[positive]
    return {"romberg_positive": positive}, f"Romberg {label}"


def _fukuda(raw: Raw) -> tuple[Raw, str]:
    test = FukudaTest(
        raw.get("steps"),
        raw.get("rotation_deg"),
        _side("direction", raw.get("direction")),  # type: ignore[arg-type]
        raw.get("displacement_cm"),  # type: ignore[arg-type]
    )
    abnormal = test.abnormal()
    direction = test.direction.value if test.direction else ""
    return {
        "abnormal": abnormal,
        "threshold_deg": 45.0,
    }, f"{test.rotation_deg:g}° {direction}".strip()


def _scoliosis(raw: Raw) -> tuple[Raw, str]:
    readings = tuple(
        ScoliometerReading(
            region, raw[f"atr_{region.value}"], _side("side", raw.get(f"atr_{region.value}_side"))
        )
        for region in SpineRegion
        if raw.get(f"atr_{region.value}") is not None
    )
    screen = ScoliosisScreen(
        bool(raw.get("adams_positive")), _side("hump_side", raw.get("hump_side")), readings
    )
    referral = scoliosis_referral(screen, atr_referral_deg())
    derived = {
        "max_atr_deg": referral.max_atr_deg,
        "threshold_deg": referral.threshold_deg,
        "refer": referral.refer,
        "algorithms": [referral.algorithm.label],
    }
    summary = "Adam's " + ("positive" if screen.adams_positive else "negative")
    if referral.max_atr_deg is not None:
        summary += f", ATR {referral.max_atr_deg:g}°" + (" (refer)" if referral.refer else "")
    return derived, summary


def _arm(raw: Raw, side: str) -> BloodPressure | None:
    systolic, diastolic = raw.get(f"{side}_systolic"), raw.get(f"{side}_diastolic")
    if systolic is None and diastolic is None:
        return None
    if systolic is None:
        raise ExamValidationError("required", f"{side}_systolic")
    if diastolic is None:
        raise ExamValidationError("required", f"{side}_diastolic")
    return BloodPressure(systolic, diastolic, raw.get(f"{side}_pulse"))


def blood_pressure(raw: Raw) -> BilateralBloodPressure:
    return BilateralBloodPressure(_arm(raw, "left"), _arm(raw, "right"))


def _bp(raw: Raw) -> tuple[Raw, str]:
    bp = blood_pressure(raw)
    flags = blood_pressure_flags(bp)
    derived = {
        "bp_high": flags.bp_high,
        "inter_arm_difference": flags.inter_arm_difference,
        "inter_arm_systolic_mmhg": flags.inter_arm_systolic_mmhg,
        "algorithms": [BP_FLAGS.label],
    }
    parts = [
        f"{s} {a.systolic_mmhg}/{a.diastolic_mmhg}"
        for s, a in (("L", bp.left), ("R", bp.right))
        if a
    ]
    return derived, " · ".join(parts) + " mmHg"


def thermo_readings(text: str) -> list[tuple[str, float]]:
    """Parse "C1 0.3" lines (level, left − right °C)."""
    readings = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ExamValidationError("not_a_number", "readings", value=f"line {number}")
        try:
            readings.append((parts[0], float(parts[1])))
        except ValueError:
            raise ExamValidationError("not_a_number", "readings", value=f"line {number}") from None
    return readings


def _thermo(raw: Raw) -> tuple[Raw, str]:
    scan = ThermographyScan(
        parse_choice(Instrument, "instrument", raw.get("instrument") or "dual_probe"),
        tuple(
            ThermoReading(level, diff) for level, diff in thermo_readings(raw.get("readings") or "")
        ),
        raw.get("acclimation_min"),
    )
    derived = {"max_abs_differential_c": scan.max_abs_differential_c, "acclimated": scan.acclimated}
    return derived, f"{len(scan.readings)} levels, max |ΔT| {scan.max_abs_differential_c:g} °C"


def build(
    kind: str,
    raw: Raw,
    *,
    age_years: int | None = None,
    timing: str = "",
    pre_raw: Raw | None = None,
) -> tuple[Raw, str]:
    """Validate ``raw`` through the core; return ``(derived, summary)``."""
    if kind == "neuro":
        return _neuro(raw, age_years)
    if kind == "leg_check":
        return _leg(raw, timing, pre_raw)
    if kind == "cervical_rom":
        return _rom(raw)
    if kind == "romberg":
        return _romberg(raw)
    if kind == "fukuda":
        return _fukuda(raw)
    if kind == "scoliosis":
        return _scoliosis(raw)
    if kind == "blood_pressure":
        return _bp(raw)
    if kind == "thermography":
        return _thermo(raw)
    if kind == "palpation":
        return {}, (raw.get("findings") or "")[:120]
    if kind == "safety_screen":
        return {}, ""
    raise ValueError(f"unknown exam kind {kind!r}")
