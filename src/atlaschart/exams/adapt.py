"""Adapters between stored raw exam inputs (flat JSON dicts, as the forms clean them) and the pure
measurement core ``atlaschart.measure.exam``.

``build(kind, raw, age_years)`` validates the raw inputs through the core value objects and returns
``(derived, summary)``: ``derived`` maps each computed value to a JSON value and names the
algorithm(s) as ``id@version`` under ``"algorithms"``. It raises ``ExamValidationError`` for input
the core rejects; the forms turn that into a translated field error. No Django model access here,
so it can recompute derived values from stored raw inputs at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation

from atlaschart.exams import display
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
    DERMATOME_LEVELS,
    MYOTOME_KEY_MUSCLES,
    Clonus,
    ClonusSite,
    DeepTendonReflex,
    Dermatome,
    Gait,
    GaitPattern,
    Myotome,
    NeuroExam,
    PathologicalReflex,
    PathologicalSign,
    Reflex,
    ReflexScale,
    Sensation,
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
T = TypeVar("T")


def mdc_mm() -> float:
    """Minimal detectable change for pre/post leg checks; settings.ATLASCHART_LEG_CHECK_MDC_MM."""
    return float(getattr(settings, "ATLASCHART_LEG_CHECK_MDC_MM", 3.74))


def atr_referral_deg() -> float:
    """Scoliometer referral threshold; settings.ATLASCHART_ATR_REFERRAL_DEG (default 7°)."""
    return float(getattr(settings, "ATLASCHART_ATR_REFERRAL_DEG", 7.0))


def _side(field: str, raw: object) -> Side | None:
    return None if raw in (None, "") else parse_choice(Side, field, raw)


def _entry(key: str, make: Callable[..., T], *args: Any) -> T:
    """``make(*args)``, one per-side entry; a rejection names the entry's raw key (= its form
    field), so the message lands next to the value that caused it."""
    try:
        return make(*args)
    except ExamValidationError as err:
        params = {k: v for k, v in err.params.items() if k != "field"}
        raise ExamValidationError(err.code, key, **params) from err


def myotome_key(root: str, side: str) -> str:
    return f"myotome_{root}_{side}"


def dermatome_key(level: str, side: str) -> str:
    return f"dermatome_{level}_{side}"


# ----------------------------------------------------------------------------------- neuro


def _dermatome(level: str, side: str, value: object) -> Dermatome:
    return Dermatome(level, Side(side), parse_choice(Sensation, "sensation", value))


def neuro_exam(raw: Raw) -> NeuroExam:
    scale = parse_choice(ReflexScale, "scale", raw.get("scale") or ReflexScale.NINDS.value)
    reinforced = bool(raw.get("reinforced"))
    reflexes = [
        _entry(key, DeepTendonReflex, reflex, Side(side), scale, grade, reinforced)
        for reflex in Reflex
        for side in SIDES
        if (grade := raw.get(key := f"reflex_{reflex.value}_{side}")) is not None
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
    # Myotomes (MRC 0–5) and dermatomes (sensation) per root/level and side; blank = not tested.
    myotomes = [
        _entry(key, Myotome, root, Side(side), grade)
        for root in MYOTOME_KEY_MUSCLES
        for side in SIDES
        if (grade := raw.get(key := myotome_key(root, side))) not in (None, "")
    ]
    dermatomes = [
        _entry(key, _dermatome, level, side, value)
        for level in DERMATOME_LEVELS
        for side in SIDES
        if (value := raw.get(key := dermatome_key(level, side))) not in (None, "")
    ]
    return NeuroExam(
        tuple(reflexes),
        tuple(pathological),
        tuple(clonus),
        tuple(myotomes),
        tuple(dermatomes),
        gait=gait,
    )


def _neuro(raw: Raw, age_years: int | None) -> Raw:
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
    return derived


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


def _leg(raw: Raw, timing: str, pre_raw: Raw | None) -> Raw:
    check = leg_check(raw, timing)
    derived: Raw = {
        "magnitude_mm": round(check.magnitude_mm, 3),
        "signed_mm": round(check.signed_mm, 3),
    }
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
    return derived


# ------------------------------------------------------------------------------ other kinds


def _rom(raw: Raw) -> Raw:
    rom = CervicalRom(
        tuple(
            RomMeasurement(m, raw[f"angle_{m.value}"], bool(raw.get(f"pain_{m.value}")))
            for m in Movement
            if raw.get(f"angle_{m.value}") is not None
        ),
        parse_choice(RomMethod, "method", raw.get("method") or "visual"),
    )
    return {"painful_movements": [m.value for m in rom.painful_movements]}


def _romberg(raw: Raw) -> Raw:
    surface = parse_choice(Surface, "surface", raw.get("surface") or "firm")
    opened = RombergTrial(Eyes.OPEN, raw.get("open_held_s"), bool(raw.get("open_lost")), surface)  # type: ignore[arg-type]
    closed = RombergTrial(
        Eyes.CLOSED, raw.get("closed_held_s"), bool(raw.get("closed_lost")), surface
    )  # type: ignore[arg-type]
    return {"romberg_positive": romberg_positive(opened, closed)}


def _fukuda(raw: Raw) -> Raw:
    test = FukudaTest(
        raw.get("steps"),
        raw.get("rotation_deg"),
        _side("direction", raw.get("direction")),  # type: ignore[arg-type]
        raw.get("displacement_cm"),  # type: ignore[arg-type]
    )
    return {"abnormal": test.abnormal(), "threshold_deg": 45.0}


def _scoliosis(raw: Raw) -> Raw:
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
    return {
        "max_atr_deg": referral.max_atr_deg,
        "threshold_deg": referral.threshold_deg,
        "refer": referral.refer,
        "algorithms": [referral.algorithm.label],
    }


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


def _bp(raw: Raw) -> Raw:
    bp = blood_pressure(raw)
    flags = blood_pressure_flags(bp)
    return {
        "bp_high": flags.bp_high,
        "inter_arm_difference": flags.inter_arm_difference,
        "inter_arm_systolic_mmhg": flags.inter_arm_systolic_mmhg,
        "algorithms": [BP_FLAGS.label],
    }


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


def _thermo(raw: Raw) -> Raw:
    scan = ThermographyScan(
        parse_choice(Instrument, "instrument", raw.get("instrument") or "dual_probe"),
        tuple(
            ThermoReading(level, diff) for level, diff in thermo_readings(raw.get("readings") or "")
        ),
        raw.get("acclimation_min"),
    )
    return {"max_abs_differential_c": scan.max_abs_differential_c, "acclimated": scan.acclimated}


def derive(
    kind: str,
    raw: Raw,
    *,
    age_years: int | None = None,
    timing: str = "",
    pre_raw: Raw | None = None,
) -> Raw:
    """Validate ``raw`` through the core; return the derived values."""
    if kind == "neuro":
        return _neuro(raw, age_years)
    if kind == "leg_check":
        return _leg(raw, timing, pre_raw)
    simple: dict[str, Callable[[Raw], Raw]] = {
        "cervical_rom": _rom,
        "romberg": _romberg,
        "fukuda": _fukuda,
        "scoliosis": _scoliosis,
        "blood_pressure": _bp,
        "thermography": _thermo,
        "palpation": lambda raw: {},
        "safety_screen": lambda raw: {},
    }
    if kind not in simple:
        raise ValueError(f"unknown exam kind {kind!r}")
    return simple[kind](raw)


def build(
    kind: str,
    raw: Raw,
    *,
    age_years: int | None = None,
    timing: str = "",
    pre_raw: Raw | None = None,
) -> tuple[Raw, str]:
    """Validate ``raw`` through the core; return ``(derived, summary)``. The stored summary is
    English (for exports and logs); pages show ``display.summary`` in the reader's language."""
    derived = derive(kind, raw, age_years=age_years, timing=timing, pre_raw=pre_raw)
    with translation.override("en"):
        return derived, display.summary(kind, raw, derived)
