"""Red-flag screening rules: answers -> findings with action levels. Fails closed.

Implements the red-flag table of docs/safety.md (rules version ``RULES_VERSION``). The assignment
of items to levels is a proposed synthesis of the IFOMPT cervical framework (Rushton et al. 2023),
CAD/UCI features, the Canadian C-Spine Rule (Stiell et al. 2001) / NEXUS (Hoffman et al. 2000),
the Cook myelopathy cluster (Cook et al. 2010) and the IFOMPT red-flag framework (Finucane et al.
2020); clinicians must approve it before clinical use (docs/sources.md).

Each row of the table is one small rule function (``_RULES``, table order); each returns the
findings of its row with a reason code (``reasons.py``).

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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass

from atlaschart.measure.provenance import Algorithm
from atlaschart.measure.safety.cook import CookCount, CookRule, age_item, cook_cluster
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
from atlaschart.measure.safety.reasons import ParamValue, english

RULES_VERSION = "1"
SCREEN_ALGORITHM = Algorithm("safety.screen", RULES_VERSION)

Value = bool | str | float | tuple[str, ...] | None


class ScreenInputError(ValueError):
    """Malformed screening answers (unknown item, wrong type). The message names the key."""


@dataclass(frozen=True)
class ScreenConfig:
    """Thresholds a clinic may set (local policy choices with no published rule [U])."""

    v6_min_factors_for_h: int = 2
    """V6: this many risk factors with acute-onset neck pain/headache -> H."""
    bp_systolic_h_mmhg: float = 180
    bp_diastolic_h_mmhg: float = 110
    """V7: systolic >= 180 or diastolic >= 110 at the visit -> H."""
    cook_min_positive: int = 3
    """N2: Cook 2010 cluster, 3 of 5 positive rules myelopathy in (LR+ 30.9)."""
    cook_age_over_years: float = 45
    """N2: the Cook cluster's age item is positive above this age (years)."""

    def __post_init__(self) -> None:
        if self.v6_min_factors_for_h < 1 or not 1 <= self.cook_min_positive <= 5:
            raise ValueError("v6_min_factors_for_h must be >= 1, cook_min_positive 1..5")
        if self.bp_systolic_h_mmhg <= 0 or self.bp_diastolic_h_mmhg <= 0:
            raise ValueError("blood pressure thresholds must be positive")

    def as_parameters(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}

    def cook_rule(self) -> CookRule:
        """The Cook cluster thresholds of this configuration (``measure.safety.cook``)."""
        return CookRule(
            min_positive=self.cook_min_positive,
            max_positive_rule_out=min(1, self.cook_min_positive - 1),
            age_over_years=self.cook_age_over_years,
        )


_KINDS: dict[str, AnswerKind] = {q.id: q.kind for q in SCREENING_QUESTIONS}
_KINDS.update({key: kind for key, (kind, _) in CLINICIAN_SIGNS.items()})
_NUMBER_LIMITS = {"bp_systolic_mmhg": 400.0, "bp_diastolic_mmhg": 300.0, "age_years": 130.0}


def _bad(key: str, expected: str, value: object) -> ScreenInputError:
    shown = "true" if value is True else "false" if value is False else repr(value)
    return ScreenInputError(f"{key}: expected {expected}, got {shown}")


def _parse_yes_no(key: str, value: object) -> Value:
    if not isinstance(value, bool):
        raise _bad(key, "true or false", value)
    return value


def _parse_timing(key: str, value: object) -> Value:
    if value is True:
        return "current"  # timing not given: read it the severe way
    if value is False or value == "current" or value == "recent":
        return value
    raise _bad(key, '"current", "recent" or false', value)


def _parse_yes_no_na(key: str, value: object) -> Value:
    if isinstance(value, bool) or value == "na":
        return value
    raise _bad(key, 'true, false or "na"', value)


def _parse_risk_factors(key: str, value: object) -> Value:
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


def _parse_number(key: str, value: object) -> Value:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(key, "a number", value)
    if not 0 <= value <= _NUMBER_LIMITS[key]:
        raise ScreenInputError(f"{key}: {value} is outside 0..{_NUMBER_LIMITS[key]:g}")
    return float(value)


_PARSERS: dict[AnswerKind, Callable[[str, object], Value]] = {
    "yes-no": _parse_yes_no,
    "timing": _parse_timing,
    "yes-no-na": _parse_yes_no_na,
    "risk-factors": _parse_risk_factors,
    "number": _parse_number,
}


def _parse_value(key: str, kind: AnswerKind, value: object) -> Value:
    return None if value is None else _PARSERS[kind](key, value)


def parse_screen_answers(raw: object) -> dict[str, Value]:
    """Validate raw answers; every known key is present in the result (absent ones as None)."""
    if not isinstance(raw, Mapping):
        raise ScreenInputError("answers must be an object of item ids (V1, V2, ...)")
    for key in raw:
        if key not in _KINDS:
            raise ScreenInputError(f"unknown screening item {key!r}")
    return {key: _parse_value(key, kind, raw.get(key)) for key, kind in _KINDS.items()}


_RISK_FACTOR_EN = {code: text["en"] for code, text in RISK_FACTORS.items()}

#: The upper motor neuron signs that make N2 positive on their own (table row N2).
UMN_SIGNS: tuple[str, ...] = ("sign_hoffmann", "sign_babinski", "sign_clonus", "sign_hyperreflexia")

#: Signs and age that, all given, answer N2 without the N2 item itself.
_N2_INPUTS: tuple[str, ...] = (
    "sign_gait_abnormal",
    "sign_hoffmann",
    "sign_babinski",
    "sign_inverted_supinator",
    "sign_clonus",
    "sign_hyperreflexia",
    "age_years",
)


def finding(
    rule: str,
    level: Level,
    code: str,
    params: Mapping[str, ParamValue] | None = None,
    *,
    overridable: bool = True,
) -> Finding:
    """A finding whose English reason is rendered once, from its code (``reasons.english``)."""
    params = dict(params or {})
    reason = english(code, params, _RISK_FACTOR_EN)
    return Finding(rule, level, reason, overridable, code, params)


@dataclass(frozen=True)
class _Answers:
    """Parsed answers, the configuration, and the values several rules share."""

    a: dict[str, Value]
    cfg: ScreenConfig

    def yes(self, key: str) -> bool:
        return self.a[key] is True

    def given(self, key: str) -> bool:
        return self.a[key] is not None

    def number(self, key: str) -> float | None:
        value = self.a[key]
        return value if isinstance(value, float) else None

    @property
    def gait(self) -> bool:
        # A clinician sign can add to an item, never cancel it.
        return self.yes("V4") or self.yes("sign_gait_abnormal")

    @property
    def sharp_purser(self) -> bool:
        return self.yes("U3") or self.yes("sign_sharp_purser")

    @property
    def bp_high(self) -> bool:
        systolic, diastolic = self.number("bp_systolic_mmhg"), self.number("bp_diastolic_mmhg")
        return (systolic is not None and systolic >= self.cfg.bp_systolic_h_mmhg) or (
            diastolic is not None and diastolic >= self.cfg.bp_diastolic_h_mmhg
        )

    @property
    def umn(self) -> tuple[str, ...]:
        return tuple(key for key in UMN_SIGNS if self.yes(key))

    @property
    def cook(self) -> CookCount:
        rule = self.cfg.cook_rule()
        return cook_cluster(
            {
                # Fixed False rather than None: the screen has no "not examined" count for the
                # cluster itself; a missing sign keeps N2 open through ``_answered`` instead.
                "gait_deviation": self.gait,
                "hoffmann": self.yes("sign_hoffmann"),
                "inverted_supinator": self.yes("sign_inverted_supinator"),
                "babinski": self.yes("sign_babinski"),
                "age_over_45": age_item(self.number("age_years"), rule) is True,
            },
            rule,
        )

    @property
    def vascular_signs(self) -> bool:
        """Any V1-V4 feature (escalates V5)."""
        return (
            self.a["V1"] in ("current", "recent")
            or self.yes("V2")
            or self.a["V3"] in ("current", "recent")
            or self.gait
        )

    @property
    def n2_positive(self) -> bool:
        return self.yes("N2") or bool(self.umn) or self.cook.rules_in is True


Rule = Callable[[_Answers], Iterator[Finding]]


def _timed(item: str, current_code: str, recent_code: str) -> Rule:
    """V1, V3: E when current (now or within 72 h), B-urgent when recent."""

    def rule(x: _Answers) -> Iterator[Finding]:
        if x.a[item] == "current":
            yield finding(item, "E", current_code)
        elif x.a[item] == "recent":
            yield finding(item, "B-urgent", recent_code)

    return rule


def _when_yes(item: str, level: Level, code: str, *, overridable: bool = True) -> Rule:
    """A row that is one yes/no item with one level."""

    def rule(x: _Answers) -> Iterator[Finding]:
        if x.yes(item):
            yield finding(item, level, code, overridable=overridable)

    return rule


def _v4_gait(x: _Answers) -> Iterator[Finding]:
    if x.gait:
        yield finding("V4", "B-urgent", "gait_unsteady")


def _v5_neck_trauma(x: _Answers) -> Iterator[Finding]:
    if not x.yes("V5"):
        return
    if x.vascular_signs:
        yield finding("V5", "B-urgent", "neck_trauma_with_vascular_signs")
    else:
        yield finding("V5", "H", "neck_trauma_recent")


def _v6_risk_factors(x: _Answers) -> Iterator[Finding]:
    factors = x.a["V6"]
    if not isinstance(factors, tuple):
        return
    for code in factors:
        yield finding(f"V6:{code}", "W", "vascular_risk_factor", {"factor": code})
    if len(factors) < x.cfg.v6_min_factors_for_h:
        return
    if x.a["V6_acute_onset"] is None:
        yield finding(
            "incomplete:V6_acute_onset",
            "B-routine",
            "risk_factors_onset_unanswered",
            {"count": len(factors)},
        )
    elif x.yes("V6_acute_onset"):
        yield finding("V6", "H", "risk_factors_acute_onset", {"count": len(factors)})


def _v7_blood_pressure(x: _Answers) -> Iterator[Finding]:
    if not (x.yes("V7") or x.bp_high):
        return
    limits: dict[str, ParamValue] = {
        "systolic_limit_mmhg": x.cfg.bp_systolic_h_mmhg,
        "diastolic_limit_mmhg": x.cfg.bp_diastolic_h_mmhg,
    }
    systolic, diastolic = x.number("bp_systolic_mmhg"), x.number("bp_diastolic_mmhg")
    if systolic is not None and diastolic is not None:
        yield finding(
            "V7",
            "H",
            "blood_pressure_high_measured",
            {**limits, "systolic_mmhg": systolic, "diastolic_mmhg": diastolic},
        )
    else:
        yield finding("V7", "H", "blood_pressure_high", limits)


def _u1_predisposition(x: _Answers) -> Iterator[Finding]:
    if not x.yes("U1"):
        return
    if x.yes("U2") or x.sharp_purser:
        yield finding("U1", "B-urgent", "uci_predisposition_with_signs")
    else:
        yield finding("U1", "H", "uci_predisposition")


def _u3_ligament_test(x: _Answers) -> Iterator[Finding]:
    if x.sharp_purser:
        yield finding("U3", "B-urgent", "ligament_test_positive")


def _n2_myelopathy_signs(x: _Answers) -> Iterator[Finding]:
    if not x.n2_positive:
        return
    cook = x.cook
    yield finding(
        "N2",
        "B-urgent",
        "myelopathy_signs",
        {
            "umn_signs": tuple(key.removeprefix("sign_") for key in x.umn),
            "cook_positive": cook.positive_count if cook.rules_in is True else None,
            "cook_items": len(cook.items),
        },
    )


def _s1_cancer(x: _Answers) -> Iterator[Finding]:
    if not x.yes("S1"):
        return
    if x.a["S1_active_cancer"] is False:
        yield finding("S1", "B-routine", "cancer_history_flags")
    elif x.yes("S1_active_cancer"):
        yield finding("S1", "B-urgent", "malignancy_active")
    else:  # not answered: read the severe way
        yield finding("S1", "B-urgent", "malignancy_not_ruled_out")


def _s3_fracture(x: _Answers) -> Iterator[Finding]:
    if not x.yes("S3"):
        return
    if x.yes("S3_fracture_suspected"):
        yield finding("S3", "B-routine", "fracture_suspected")
    else:
        yield finding("S3", "H", "fracture_risk")


def _answered(x: _Answers, item: str) -> bool:
    """Whether ``item`` counts as answered: by itself, or by the signs that feed it."""
    derived = {
        "V4": lambda: x.given("sign_gait_abnormal"),
        "U3": lambda: x.given("sign_sharp_purser"),
        "V7": lambda: (x.given("bp_systolic_mmhg") and x.given("bp_diastolic_mmhg")) or x.bp_high,
        "N2": lambda: x.n2_positive or all(x.given(key) for key in _N2_INPUTS),
    }
    return x.given(item) or (item in derived and bool(derived[item]()))


def _unanswered_items(x: _Answers) -> Iterator[Finding]:
    """Fail closed: every main item not answered is a finding."""
    for item in SCREENING_ITEMS:
        if not _answered(x, item):
            yield finding(f"incomplete:{item}", "B-routine", "item_unanswered", {"item": item})


#: The table's rows, in table order (findings keep this order within a level).
_RULES: tuple[Rule, ...] = (
    # Vascular
    _timed("V1", "vba_symptoms_current", "vba_symptoms_recent"),
    _when_yes("V2", "E", "sudden_severe_headache"),
    _timed("V3", "carotid_signs_current", "carotid_signs_recent"),
    _v4_gait,
    _v5_neck_trauma,
    _v6_risk_factors,
    _v7_blood_pressure,
    # Upper cervical instability
    _u1_predisposition,
    _when_yes("U2", "B-urgent", "uci_symptoms"),
    _u3_ligament_test,
    # Myelopathy / neurology
    _when_yes("N1", "B-urgent", "myelopathy_symptoms"),
    _n2_myelopathy_signs,
    _when_yes("N3", "B-urgent", "progressive_neuro_deficit"),
    # Trauma within 7 days
    _when_yes("T1", "E", "canadian_c_spine_positive"),
    _when_yes("T2", "E", "nexus_not_low_risk"),
    # Serious pathology
    _s1_cancer,
    _when_yes("S2", "B-urgent", "spinal_infection"),
    _s3_fracture,
    _when_yes("S4", "E", "cauda_equina"),
    _when_yes("S5", "B-routine", "systemically_unwell"),
    # Thoracic / visceral
    _when_yes("X1", "E", "cardiac_ischaemia"),
    _when_yes("X2", "E", "aortic_dissection"),
    _when_yes("X3", "E", "pulmonary_cause"),
    _when_yes("X4", "B-routine", "visceral_source"),
    _when_yes("X5", "W", "shingles"),
    _when_yes("X6", "W", "inflammatory_back_pain"),
    # General precautions; G2 (the patient's refusal) is not a clinician's to override.
    _when_yes("G1", "W", "general_precaution"),
    _when_yes("G2", "B-routine", "declines_manual_therapy", overridable=False),
    _unanswered_items,
)


def screen(raw_answers: object, config: ScreenConfig | None = None) -> ScreenResult:
    """Run the red-flag rules on one set of answers. Raises :class:`ScreenInputError` when
    malformed. Findings come most severe first, in table order within a level."""
    cfg = config or ScreenConfig()
    answers = _Answers(parse_screen_answers(raw_answers), cfg)
    found = [f for rule in _RULES for f in rule(answers)]
    ordered = tuple(sorted(found, key=lambda f: -severity(f.level)))
    return ScreenResult(
        rules_version=RULES_VERSION,
        level=overall_level(ordered),
        findings=ordered,
        algorithm=SCREEN_ALGORITHM,
        parameters=cfg.as_parameters(),
    )
