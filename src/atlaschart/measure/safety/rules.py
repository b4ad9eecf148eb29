"""Red-flag screening rules: answers -> findings with action levels. Fails closed.

Implements the table of ../shared/research/outcomes_safety.md §3.3 (rules version
``RULES_VERSION``). The assignment of items to levels there is a proposed synthesis of the IFOMPT
cervical framework, CAD/UCI features, the Canadian C-Spine Rule/NEXUS, the Cook myelopathy
cluster and the IFOMPT red-flag framework; clinicians must approve it before clinical use.

Fail-closed behaviour:

* every main item (V1..G2, ``questions.SCREENING_ITEMS``) that is unanswered gives a finding
  ``incomplete:<item>`` at ``B-routine``; a detail that a positive answer makes necessary
  (``V6_acute_onset`` with two or more risk factors) does too;
* a detail left blank is read the severe way where that is possible (S1 without
  ``S1_active_cancer`` is treated as active cancer, V1/V3 ``true`` without timing as current);
* a clinician sign can only add to an item, never cancel it (V4 false with an abnormal gait
  sign is positive);
* the result is at best ``none-found``; nothing here says "cleared".

Input (JSON object, the value of ``"answers"``); unknown keys and wrong types are refused:

* main items and details: see ``questions.py`` for the kind and values of each id;
* clinician signs (``questions.CLINICIAN_SIGNS``): ``sign_gait_abnormal``, ``sign_hoffmann``,
  ``sign_babinski``, ``sign_inverted_supinator``, ``sign_clonus``, ``sign_hyperreflexia``,
  ``sign_sharp_purser`` (booleans), ``bp_systolic_mmhg``, ``bp_diastolic_mmhg`` (mmHg) and
  ``age_years``. V4 counts as answered when ``V4`` or ``sign_gait_abnormal`` is given; U3 when
  ``U3`` or ``sign_sharp_purser`` is; V7 when ``V7`` or both blood pressures are; N2 when ``N2``
  is, when the signs make it positive, or when all six signs and the age are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from atlaschart.measure.provenance import Algorithm
from atlaschart.measure.safety.findings import (
    Finding,
    Level,
    ScreenResult,
    overall_level,
    severity,
)
from atlaschart.measure.safety.questions import (
    CLINICIAN_SIGNS,
    RISK_FACTORS,
    SCREENING_ITEMS,
    SCREENING_QUESTIONS,
    AnswerKind,
)

RULES_VERSION = "1"
SCREEN_ALGORITHM = Algorithm("safety.screen", RULES_VERSION)

Value = bool | str | float | tuple[str, ...] | None


class ScreenInputError(ValueError):
    """Malformed screening answers (unknown item, wrong type). The message names the key."""


@dataclass(frozen=True)
class ScreenConfig:
    """Thresholds a clinic may set (§3.3 marks them as local policy choices)."""

    v6_min_factors_for_h: int = 2
    """V6: this many risk factors with acute-onset neck pain/headache -> H."""
    bp_systolic_h_mmhg: float = 180
    bp_diastolic_h_mmhg: float = 110
    """V7: systolic >= 180 or diastolic >= 110 at the visit -> H."""
    cook_min_positive: int = 3
    """N2: Cook 2010 cluster, 3 of 5 positive rules myelopathy in (LR+ 30.9)."""
    cook_age_over_years: float = 45

    def __post_init__(self) -> None:
        if self.v6_min_factors_for_h < 1 or not 1 <= self.cook_min_positive <= 5:
            raise ValueError("v6_min_factors_for_h must be >= 1, cook_min_positive 1..5")
        if self.bp_systolic_h_mmhg <= 0 or self.bp_diastolic_h_mmhg <= 0:
            raise ValueError("blood pressure thresholds must be positive")

    def as_parameters(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}


_KINDS: dict[str, AnswerKind] = {q.id: q.kind for q in SCREENING_QUESTIONS}
_KINDS.update({key: kind for key, (kind, _) in CLINICIAN_SIGNS.items()})
_NUMBER_LIMITS = {"bp_systolic_mmhg": 400.0, "bp_diastolic_mmhg": 300.0, "age_years": 130.0}


def _bad(key: str, expected: str, value: object) -> ScreenInputError:
    shown = "true" if value is True else "false" if value is False else repr(value)
    return ScreenInputError(f"{key}: expected {expected}, got {shown}")


def _parse_value(key: str, kind: AnswerKind, value: object) -> Value:
    if value is None:
        return None
    if kind == "yes-no":
        if not isinstance(value, bool):
            raise _bad(key, "true or false", value)
        return value
    if kind == "timing":
        if value is True:
            return "current"  # timing not given: read it the severe way
        if value is False or value in ("current", "recent"):
            return value
        raise _bad(key, '"current", "recent" or false', value)
    if kind == "yes-no-na":
        if isinstance(value, bool) or value == "na":
            return value
        raise _bad(key, 'true, false or "na"', value)
    if kind == "risk-factors":
        if value is False:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(key, "a list of risk-factor codes (or false for none)", value)
        unknown = [v for v in value if v not in RISK_FACTORS]
        if unknown:
            raise ScreenInputError(
                f"{key}: unknown risk factor {unknown[0]!r} (known: {', '.join(RISK_FACTORS)})"
            )
        return tuple(dict.fromkeys(value))  # keep order, drop repeats
    # number
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(key, "a number", value)
    if not 0 <= value <= _NUMBER_LIMITS[key]:
        raise ScreenInputError(f"{key}: {value} is outside 0..{_NUMBER_LIMITS[key]:g}")
    return float(value)


def parse_screen_answers(raw: object) -> dict[str, Value]:
    """Validate raw answers; every known key is present in the result (absent ones as None)."""
    if not isinstance(raw, Mapping):
        raise ScreenInputError("answers must be an object of item ids (V1, V2, ...)")
    for key in raw:
        if key not in _KINDS:
            raise ScreenInputError(f"unknown screening item {key!r}")
    return {key: _parse_value(key, kind, raw.get(key)) for key, kind in _KINDS.items()}


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, rule: str, level: Level, reason: str, *, overridable: bool = True) -> None:
        self.findings.append(Finding(rule, level, reason, overridable))


def screen(raw_answers: object, config: ScreenConfig | None = None) -> ScreenResult:
    """Run the §3.3 rules on one set of answers. Raises :class:`ScreenInputError` when malformed.

    Findings come most severe first, in table order within a level."""
    cfg = config or ScreenConfig()
    a = parse_screen_answers(raw_answers)
    out = _Collector()

    def yes(key: str) -> bool:
        return a[key] is True

    # Items whose answer can also come from clinician signs.
    gait = yes("V4") or yes("sign_gait_abnormal")
    sharp_purser = yes("U3") or yes("sign_sharp_purser")
    systolic, diastolic = a["bp_systolic_mmhg"], a["bp_diastolic_mmhg"]
    bp_high = (isinstance(systolic, float) and systolic >= cfg.bp_systolic_h_mmhg) or (
        isinstance(diastolic, float) and diastolic >= cfg.bp_diastolic_h_mmhg
    )
    age = a["age_years"]
    cook = [
        yes("sign_gait_abnormal") or yes("V4"),
        yes("sign_hoffmann"),
        yes("sign_inverted_supinator"),
        yes("sign_babinski"),
        isinstance(age, float) and age > cfg.cook_age_over_years,
    ]
    umn = [
        k for k in ("sign_hoffmann", "sign_babinski", "sign_clonus", "sign_hyperreflexia") if yes(k)
    ]
    n2_positive = yes("N2") or bool(umn) or sum(cook) >= cfg.cook_min_positive
    derived_answered = {
        "V4": a["V4"] is not None or a["sign_gait_abnormal"] is not None,
        "U3": a["U3"] is not None or a["sign_sharp_purser"] is not None,
        "V7": a["V7"] is not None or (systolic is not None and diastolic is not None) or bp_high,
        "N2": a["N2"] is not None
        or n2_positive
        or all(
            a[k] is not None
            for k in (
                "sign_gait_abnormal",
                "sign_hoffmann",
                "sign_babinski",
                "sign_inverted_supinator",
                "sign_clonus",
                "sign_hyperreflexia",
                "age_years",
            )
        ),
    }

    # --- Vascular ---
    if a["V1"] == "current":
        out.add(
            "V1",
            "E",
            "vertebrobasilar symptoms now or within 72 h (5 D's / 3 N's): "
            "possible cervical arterial dysfunction; stop and send to emergency care (119)",
        )
    elif a["V1"] == "recent":
        out.add(
            "V1",
            "B-urgent",
            "recent vertebrobasilar symptoms, not within 72 h: possible "
            "cervical arterial dysfunction; same-day medical referral unless explained",
        )
    if yes("V2"):
        out.add(
            "V2",
            "E",
            "sudden severe or unfamiliar headache/neck pain: possible arterial "
            "dissection or haemorrhage; emergency care",
        )
    if a["V3"] == "current":
        out.add(
            "V3",
            "E",
            "Horner signs, monocular vision loss, pulsatile tinnitus or lower "
            "cranial nerve signs now or within 72 h: possible carotid dissection; emergency",
        )
    elif a["V3"] == "recent":
        out.add(
            "V3",
            "B-urgent",
            "recent Horner signs, vision loss, pulsatile tinnitus or lower "
            "cranial nerve signs: same-day medical referral",
        )
    if gait:
        out.add(
            "V4",
            "B-urgent",
            "unsteady gait or incoordination on examination: same-day medical referral",
        )
    vascular_signs = (
        a["V1"] in ("current", "recent")
        or yes("V2")
        or a["V3"]
        in (
            "current",
            "recent",
        )
        or gait
    )
    if yes("V5"):
        if vascular_signs:
            out.add(
                "V5",
                "B-urgent",
                "recent neck trauma or manipulation with new pain, together "
                "with V1-V4 features: block cervical manual therapy, same-day referral",
            )
        else:
            out.add(
                "V5",
                "H",
                "recent neck trauma or manipulation elsewhere with new neck "
                "pain/headache: no thrust; precaution (W): consent and reduced dosage",
            )
    factors = a["V6"]
    if isinstance(factors, tuple):
        for code in factors:
            out.add(f"V6:{code}", "W", f"vascular risk factor: {RISK_FACTORS[code]['en']}")
        if len(factors) >= cfg.v6_min_factors_for_h:
            if a["V6_acute_onset"] is None:
                out.add(
                    "incomplete:V6_acute_onset",
                    "B-routine",
                    f"{len(factors)} vascular risk "
                    "factors and onset of neck pain/headache not answered",
                )
            elif yes("V6_acute_onset"):
                out.add(
                    "V6",
                    "H",
                    f"{len(factors)} vascular risk factors with acute-onset neck "
                    "pain/headache: no thrust; clinician review",
                )
    if yes("V7") or bp_high:
        shown = (
            f" ({systolic:g}/{diastolic:g} mmHg)"
            if isinstance(systolic, float) and isinstance(diastolic, float)
            else ""
        )
        out.add(
            "V7",
            "H",
            f"blood pressure at or above {cfg.bp_systolic_h_mmhg:g}/"
            f"{cfg.bp_diastolic_h_mmhg:g} mmHg{shown}: no thrust; routine medical referral",
        )

    # --- Upper cervical instability ---
    if yes("U1"):
        if yes("U2") or sharp_purser:
            out.add(
                "U1",
                "B-urgent",
                "condition predisposing to upper cervical instability with "
                "instability symptoms or a positive ligament test: block, refer for imaging",
            )
        else:
            out.add(
                "U1",
                "H",
                "condition predisposing to upper cervical instability: no thrust; "
                "precaution (W): consent and reduced dosage",
            )
    if yes("U2"):
        out.add(
            "U2",
            "B-urgent",
            "upper cervical instability symptoms: block cervical manual therapy, same-day referral",
        )
    if sharp_purser:
        out.add(
            "U3",
            "B-urgent",
            "positive Sharp-Purser or ligament stress test: block, refer for imaging",
        )

    # --- Myelopathy / neurology ---
    if yes("N1"):
        out.add(
            "N1",
            "B-urgent",
            "hand clumsiness, gait change or bladder/bowel change: possible "
            "myelopathy; same-day referral",
        )
    if n2_positive:
        detail = []
        if umn:
            detail.append("upper motor neuron sign: " + ", ".join(k[5:] for k in umn))
        if sum(cook) >= cfg.cook_min_positive:
            detail.append(f"Cook cluster {sum(cook)}/5")
        shown = f" ({'; '.join(detail)})" if detail else ""
        out.add("N2", "B-urgent", f"myelopathy signs{shown}: block, same-day referral")
    if yes("N3"):
        out.add(
            "N3",
            "B-urgent",
            "progressive limb weakness/numbness or multi-level root signs: "
            "block, same-day referral",
        )

    # --- Trauma within 7 days ---
    if yes("T1"):
        out.add("T1", "E", "Canadian C-Spine Rule positive: imaging first; emergency care")
    if yes("T2"):
        out.add("T2", "E", "NEXUS low-risk criteria not met: imaging first; emergency care")

    # --- Serious pathology ---
    if yes("S1"):
        if a["S1_active_cancer"] is False:
            out.add(
                "S1",
                "B-routine",
                "cancer history with new spinal pain, unexplained weight "
                "loss or unremitting night/rest pain: refer before the next session",
            )
        else:
            known = "active cancer" if yes("S1_active_cancer") else "active cancer not ruled out"
            out.add("S1", "B-urgent", f"possible malignancy ({known}): block, same-day referral")
    if yes("S2"):
        out.add(
            "S2",
            "B-urgent",
            "possible spinal infection (fever, IV drug use, "
            "immunosuppression, recent infection/procedure): same-day referral",
        )
    if yes("S3"):
        if yes("S3_fracture_suspected"):
            out.add(
                "S3",
                "B-routine",
                "fracture suspected (osteoporosis, steroids, age >70 or "
                "minor trauma): block, refer before the next session",
            )
        else:
            out.add(
                "S3",
                "H",
                "fracture risk (osteoporosis, long-term steroids, age >70 or minor "
                "trauma with sudden pain): no thrust",
            )
    if yes("S4"):
        out.add("S4", "E", "possible cauda equina syndrome: emergency care")
    if yes("S5"):
        out.add("S5", "B-routine", "systemically unwell: refer before the next session")

    # --- Thoracic / visceral ---
    if yes("X1"):
        out.add("X1", "E", "possible cardiac ischaemia: emergency care (119)")
    if yes("X2"):
        out.add("X2", "E", "possible aortic dissection: emergency care (119)")
    if yes("X3"):
        out.add("X3", "E", "possible pulmonary embolism or other pulmonary cause: emergency care")
    if yes("X4"):
        out.add(
            "X4",
            "B-routine",
            "possible visceral (gastrointestinal, hepatobiliary or renal) "
            "source: refer before the next session",
        )
    if yes("X5"):
        out.add("X5", "W", "band-like burning pain: possible shingles; consider referral")
    if yes("X6"):
        out.add("X6", "W", "inflammatory back pain pattern: routine referral")

    # --- General precautions ---
    if yes("G1"):
        out.add(
            "G1",
            "W",
            "general precaution (age at first episode, pregnancy, anticoagulants, "
            "hypermobility, inflammatory disease or past cancer)",
        )
    if yes("G2"):
        out.add(
            "G2",
            "B-routine",
            "patient declines manual therapy: no manual therapy without "
            "consent (not a medical referral)",
            overridable=False,
        )

    # --- Fail closed: every unanswered item is a finding ---
    for item in SCREENING_ITEMS:
        answered = derived_answered.get(item, a[item] is not None)
        if not answered:
            out.add(
                f"incomplete:{item}",
                "B-routine",
                f"{item} not answered: the screen cannot rule this out",
            )

    ordered = tuple(sorted(out.findings, key=lambda f: -severity(f.level)))
    return ScreenResult(
        rules_version=RULES_VERSION,
        level=overall_level(ordered),
        findings=ordered,
        algorithm=SCREEN_ALGORITHM,
        parameters=cfg.as_parameters(),
    )
