"""Safety screens in the user's language: levels, items, reasons and gate decisions by code.

The core (``measure.safety``) gives every finding a reason code and plain params, and every gate
reason a code; this module is the one place that turns them into words, through the translation
catalogue. Nothing here shows a raw key: a stored finding without a code (a screen stored before
codes existed) is re-derived from its stored answers, and only if that fails is its item named
with a generic sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from atlaschart.measure.safety import (
    RISK_FACTORS,
    SCREENING_QUESTIONS,
    Finding,
    ScreenConfig,
    ScreenInputError,
    screen,
)
from atlaschart.measure.safety import gate as core_gate

#: Short level names, as a tag.
LEVEL_LABELS: dict[str, Promise] = {
    "E": gettext_lazy("Emergency (E)"),
    "B-urgent": gettext_lazy("Same-day referral (B)"),
    "B-routine": gettext_lazy("Referral before next session (B)"),
    "H": gettext_lazy("No thrust (H)"),
    "W": gettext_lazy("Precaution (W)"),
    "none-found": gettext_lazy("None found"),
    "not-screened": gettext_lazy("Not screened"),
}

#: What each level means for treatment.
LEVEL_MEANINGS: dict[str, Promise] = {
    "E": gettext_lazy("Emergency: stop and refer now (119)."),
    "B-urgent": gettext_lazy(
        "No cervical manual therapy; medical referral the same day (within 24 h)."
    ),
    "B-routine": gettext_lazy(
        "No cervical manual therapy; medical referral before the next session."
    ),
    "H": gettext_lazy("No high-velocity thrust; low-force work after clinician review."),
    "W": gettext_lazy("Precaution: acknowledge it; consent and a gentler dose."),
    "none-found": gettext_lazy("No red flag found (this is not a clearance)."),
    "not-screened": gettext_lazy("Not screened yet."),
}

#: Each item of the red-flag table (and the details), as a clinician names it.
ITEM_LABELS: dict[str, Promise] = {
    "V1": gettext_lazy("Vertebrobasilar symptoms"),
    "V2": gettext_lazy("Sudden severe headache"),
    "V3": gettext_lazy("Carotid dissection signs"),
    "V4": gettext_lazy("Unsteady gait (exam)"),
    "V5": gettext_lazy("Recent neck trauma or manipulation"),
    "V6": gettext_lazy("Vascular risk factors"),
    "V6_acute_onset": gettext_lazy("Acute onset of neck pain or headache"),
    "V7": gettext_lazy("Blood pressure 180/110 mmHg or higher"),
    "U1": gettext_lazy("Predisposition to upper cervical instability"),
    "U2": gettext_lazy("Upper cervical instability symptoms"),
    "U3": gettext_lazy("Sharp-Purser / ligament stress test"),
    "N1": gettext_lazy("Myelopathy symptoms"),
    "N2": gettext_lazy("Myelopathy signs (Cook cluster, UMN signs)"),
    "N3": gettext_lazy("Progressive neurological deficit"),
    "T1": gettext_lazy("Canadian C-Spine Rule"),
    "T2": gettext_lazy("NEXUS criteria"),
    "S1": gettext_lazy("Cancer history or unexplained weight loss"),
    "S1_active_cancer": gettext_lazy("Active cancer"),
    "S2": gettext_lazy("Spinal infection risk"),
    "S3": gettext_lazy("Fracture risk"),
    "S3_fracture_suspected": gettext_lazy("Fracture suspected"),
    "S4": gettext_lazy("Cauda equina signs"),
    "S5": gettext_lazy("Systemically unwell"),
    "X1": gettext_lazy("Cardiac chest pain"),
    "X2": gettext_lazy("Aortic dissection signs"),
    "X3": gettext_lazy("Pulmonary chest pain"),
    "X4": gettext_lazy("Visceral pain"),
    "X5": gettext_lazy("Band-like burning pain (shingles)"),
    "X6": gettext_lazy("Inflammatory back pain"),
    "G1": gettext_lazy("General precautions"),
    "G2": gettext_lazy("Declines manual therapy"),
}

#: Upper motor neuron signs by the name the core uses in ``umn_signs``.
UMN_SIGN_LABELS: dict[str, Promise] = {
    "hoffmann": gettext_lazy("Hoffmann sign"),
    "babinski": gettext_lazy("Babinski sign"),
    "clonus": gettext_lazy("clonus"),
    "hyperreflexia": gettext_lazy("hyperreflexia"),
}

REASON_MESSAGES: dict[str, Promise] = {
    "vba_symptoms_current": gettext_lazy(
        "Vertebrobasilar symptoms now or within 72 h (5 D's, 3 N's): possible cervical arterial "
        "dysfunction. Stop and send to emergency care (119)."
    ),
    "vba_symptoms_recent": gettext_lazy(
        "Recent vertebrobasilar symptoms, not within 72 h: possible cervical arterial "
        "dysfunction. Same-day medical referral unless explained."
    ),
    "sudden_severe_headache": gettext_lazy(
        "Sudden severe or unfamiliar headache or neck pain: possible arterial dissection or "
        "haemorrhage. Emergency care."
    ),
    "carotid_signs_current": gettext_lazy(
        "Horner signs, loss of vision in one eye, pulsatile tinnitus or lower cranial nerve "
        "signs now or within 72 h: possible carotid dissection. Emergency care."
    ),
    "carotid_signs_recent": gettext_lazy(
        "Recent Horner signs, loss of vision, pulsatile tinnitus or lower cranial nerve signs: "
        "same-day medical referral."
    ),
    "gait_unsteady": gettext_lazy(
        "Unsteady gait or incoordination on examination: same-day medical referral."
    ),
    "neck_trauma_with_vascular_signs": gettext_lazy(
        "Recent neck trauma or manipulation with new pain, together with vascular features "
        "(V1 to V4): no cervical manual therapy, same-day referral."
    ),
    "neck_trauma_recent": gettext_lazy(
        "Recent neck trauma or manipulation elsewhere with new neck pain or headache: no "
        "thrust; consent and a gentler dose."
    ),
    "vascular_risk_factor": gettext_lazy("Vascular risk factor: %(factor)s."),
    "risk_factors_onset_unanswered": gettext_lazy(
        "%(count)s vascular risk factors, and whether the neck pain or headache began suddenly "
        "is not answered."
    ),
    "risk_factors_acute_onset": gettext_lazy(
        "%(count)s vascular risk factors with neck pain or headache of sudden onset: no "
        "thrust; clinician review."
    ),
    "blood_pressure_high": gettext_lazy(
        "Blood pressure at or above %(systolic_limit)s/%(diastolic_limit)s mmHg: no thrust; "
        "routine medical referral."
    ),
    "blood_pressure_high_measured": gettext_lazy(
        "Blood pressure %(systolic)s/%(diastolic)s mmHg, at or above "
        "%(systolic_limit)s/%(diastolic_limit)s mmHg: no thrust; routine medical referral."
    ),
    "uci_predisposition_with_signs": gettext_lazy(
        "Condition predisposing to upper cervical instability, with instability symptoms or a "
        "positive ligament test: no cervical manual therapy; refer for imaging."
    ),
    "uci_predisposition": gettext_lazy(
        "Condition predisposing to upper cervical instability: no thrust; consent and a "
        "gentler dose."
    ),
    "uci_symptoms": gettext_lazy(
        "Upper cervical instability symptoms: no cervical manual therapy, same-day referral."
    ),
    "ligament_test_positive": gettext_lazy(
        "Positive Sharp-Purser or ligament stress test: no cervical manual therapy; refer for "
        "imaging."
    ),
    "myelopathy_symptoms": gettext_lazy(
        "Clumsy hands, a change in gait or in bladder or bowel function: possible myelopathy; "
        "same-day referral."
    ),
    "myelopathy_signs": gettext_lazy(
        "Signs of myelopathy%(detail)s: no cervical manual therapy, same-day referral."
    ),
    "progressive_neuro_deficit": gettext_lazy(
        "Progressive weakness or numbness in a limb, or root signs at several levels: no "
        "cervical manual therapy, same-day referral."
    ),
    "canadian_c_spine_positive": gettext_lazy(
        "Canadian C-Spine Rule positive: imaging first; emergency care."
    ),
    "nexus_not_low_risk": gettext_lazy(
        "NEXUS low-risk criteria not met: imaging first; emergency care."
    ),
    "cancer_history_flags": gettext_lazy(
        "Cancer history with new spinal pain, unexplained weight loss or unremitting night or "
        "rest pain: refer before the next session."
    ),
    "malignancy_active": gettext_lazy(
        "Possible malignancy (active cancer): no manual therapy, same-day referral."
    ),
    "malignancy_not_ruled_out": gettext_lazy(
        "Possible malignancy (active cancer not ruled out): no manual therapy, same-day referral."
    ),
    "spinal_infection": gettext_lazy(
        "Possible spinal infection (fever, injected drugs, weakened immunity, recent infection "
        "or procedure): same-day referral."
    ),
    "fracture_suspected": gettext_lazy(
        "Fracture suspected (osteoporosis, steroids, age over 70 or minor trauma): no manual "
        "therapy; refer before the next session."
    ),
    "fracture_risk": gettext_lazy(
        "Fracture risk (osteoporosis, long-term steroids, age over 70 or minor trauma with "
        "sudden pain): no thrust."
    ),
    "cauda_equina": gettext_lazy("Possible cauda equina syndrome: emergency care."),
    "systemically_unwell": gettext_lazy("Systemically unwell: refer before the next session."),
    "cardiac_ischaemia": gettext_lazy("Possible cardiac ischaemia: emergency care (119)."),
    "aortic_dissection": gettext_lazy("Possible aortic dissection: emergency care (119)."),
    "pulmonary_cause": gettext_lazy(
        "Possible pulmonary embolism or other pulmonary cause: emergency care."
    ),
    "visceral_source": gettext_lazy(
        "Possible visceral source (digestive, liver and gall bladder, or kidney): refer before "
        "the next session."
    ),
    "shingles": gettext_lazy("Band-like burning pain: possible shingles; consider referral."),
    "inflammatory_back_pain": gettext_lazy("Inflammatory back pain pattern: routine referral."),
    "general_precaution": gettext_lazy(
        "General precaution (age at a first episode, pregnancy, blood thinners, hypermobility, "
        "inflammatory disease or past cancer)."
    ),
    "declines_manual_therapy": gettext_lazy(
        "The patient declines manual therapy: none without consent (not a medical referral)."
    ),
    "item_unanswered": gettext_lazy("Not answered (%(item)s): the screen cannot rule this out."),
}

GATE_MESSAGES: dict[str, Promise] = {
    core_gate.NOT_SCREENED: gettext_lazy("no safety screen on record"),
    core_gate.SCREEN_EXPIRED: gettext_lazy(
        "the safety screen is more than %(days)s days old; screen again"
    ),
    core_gate.EMERGENCY: gettext_lazy("emergency finding (never overridden)"),
    core_gate.NEEDS_OVERRIDE: gettext_lazy("blocks until a clinician overrides it with a reason"),
    core_gate.THRUST_NEEDS_OVERRIDE: gettext_lazy(
        "blocks thrust until a clinician overrides it with a reason"
    ),
    core_gate.NEEDS_REVIEW: gettext_lazy(
        "needs the clinician's documented review (acknowledge with a reason)"
    ),
    core_gate.NEEDS_ACKNOWLEDGEMENT: gettext_lazy("needs a clinician's acknowledgement"),
}

TECHNIQUE_CLASS_LABELS: dict[core_gate.TechniqueClass, Promise] = {
    core_gate.TechniqueClass.LOW_FORCE: gettext_lazy(
        "Low-force upper cervical and non-thrust work"
    ),
    core_gate.TechniqueClass.THRUST: gettext_lazy("Thrust (high-velocity) adjustment"),
    core_gate.TechniqueClass.NOT_MANUAL: gettext_lazy("Injection (no manual therapy)"),
}

#: What an acknowledgement did, by the level it was given at (the gate's table).
ACK_LABELS: dict[tuple[str, str], Promise] = {
    ("override", ""): gettext_lazy("overridden with a reason"),
    ("acknowledge", "E"): gettext_lazy("acknowledged (the emergency block stands)"),
    ("acknowledge", "B-urgent"): gettext_lazy("acknowledged (block stands)"),
    ("acknowledge", "B-routine"): gettext_lazy("acknowledged (block stands)"),
    ("acknowledge", "H"): gettext_lazy("reviewed: low-force work allowed, thrust still blocked"),
    ("acknowledge", "W"): gettext_lazy("acknowledged"),
}

SOURCE_LABELS: dict[str, Promise] = {
    "intake": gettext_lazy("the patient's intake"),
    "clinician": gettext_lazy("a clinician"),
}


def _lang() -> str:
    return "ko" if (get_language() or "").startswith("ko") else "en"


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, LEVEL_LABELS["E"]))


def level_meaning(level: str) -> str:
    return str(LEVEL_MEANINGS.get(level, LEVEL_MEANINGS["E"]))


def ack_label(action: str, level: str) -> str:
    key = (action, "") if action == "override" else (action, level)
    return str(ACK_LABELS.get(key, ACK_LABELS[("acknowledge", "B-routine")]))


def item_of(rule: str) -> str:
    """The table item a finding's rule belongs to: ``V6:smoking`` -> V6, ``incomplete:V4`` ->
    V4."""
    if rule.startswith("incomplete:"):
        return rule.removeprefix("incomplete:")
    return rule.split(":", 1)[0]


def item_label(item: str) -> str:
    """``V1 척추기저동맥 증상``: the table's id (a detail shows its item's, ``V6``, never its
    input key) and the item's name."""
    label = ITEM_LABELS.get(item)
    shown = item.split("_", 1)[0]
    return f"{shown} {label}" if label is not None else shown


def _number(value: Any) -> str:
    return f"{float(value):g}"


def _myelopathy_detail(params: Mapping[str, Any]) -> str:
    parts = []
    umn = [str(UMN_SIGN_LABELS.get(s, s)) for s in params.get("umn_signs") or ()]
    if umn:
        parts.append(_("upper motor neuron sign: %(signs)s") % {"signs": ", ".join(umn)})
    if params.get("cook_positive") is not None:
        parts.append(
            _("Cook cluster %(positive)s of %(items)s positive")
            % {"positive": params["cook_positive"], "items": params.get("cook_items", 5)}
        )
    return f" ({'; '.join(parts)})" if parts else ""


def _params(code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if code == "vascular_risk_factor":
        factor = RISK_FACTORS.get(str(params.get("factor")), {})
        return {"factor": factor.get(_lang(), _("another risk factor"))}
    if code == "myelopathy_signs":
        return {"detail": _myelopathy_detail(params)}
    if code.startswith("blood_pressure_high"):
        names = ("systolic_limit", "diastolic_limit", "systolic", "diastolic")
        return {n: _number(params[f"{n}_mmhg"]) for n in names if f"{n}_mmhg" in params}
    if code == "item_unanswered":
        return {"item": item_label(str(params.get("item", "")))}
    return dict(params)


def finding_text(finding: Finding) -> str:
    """The finding's reason in the user's language."""
    message = REASON_MESSAGES.get(finding.code)
    if message is None:
        return _("%(item)s: see the stored screen.") % {"item": item_label(item_of(finding.rule))}
    try:
        return str(message) % _params(finding.code, finding.params)
    except (KeyError, TypeError, ValueError):
        # Params that do not fit the message (a hand-edited record): say what, not how much.
        return _("%(item)s: see the stored screen.") % {"item": item_label(item_of(finding.rule))}


def stored_findings(record: Any) -> list[Finding]:
    """The findings of a stored screen, each with its reason code. A screen stored before codes
    existed is screened again from its own answers and parameters to recover the codes (same
    rules version, so the same findings); a finding that cannot be matched keeps no code."""
    findings = [Finding.from_record(f) for f in record.findings]
    if all(f.code for f in findings):
        return findings
    try:
        config = _config_of(record.parameters)
        again = {(f.rule, f.level): f for f in screen(record.answers, config).findings}
    except (ScreenInputError, TypeError, ValueError):
        return findings
    return [f if f.code else again.get((f.rule, f.level), f) for f in findings]


def _config_of(parameters: Mapping[str, float]) -> ScreenConfig:
    """The configuration a screen was made with (its stored ``parameters``)."""
    default = ScreenConfig()
    return ScreenConfig(
        v6_min_factors_for_h=int(
            parameters.get("v6_min_factors_for_h", default.v6_min_factors_for_h)
        ),
        bp_systolic_h_mmhg=float(parameters.get("bp_systolic_h_mmhg", default.bp_systolic_h_mmhg)),
        bp_diastolic_h_mmhg=float(
            parameters.get("bp_diastolic_h_mmhg", default.bp_diastolic_h_mmhg)
        ),
        cook_min_positive=int(parameters.get("cook_min_positive", default.cook_min_positive)),
        cook_age_over_years=float(
            parameters.get("cook_age_over_years", default.cook_age_over_years)
        ),
    )


def answer_text(item: str, value: Any) -> str:
    """A stored answer as the choice the patient or clinician saw."""
    if value is None:
        return _("not answered")
    for q in SCREENING_QUESTIONS:
        if q.id != item:
            continue
        if q.kind == "risk-factors":
            codes = value if isinstance(value, list) else []
            names = [RISK_FACTORS[c][_lang()] for c in codes if c in RISK_FACTORS]
            return ", ".join(names) if names else _("none of these")
        for choice in q.choices:
            if choice.value == value or (value is True and choice.value == "current"):
                return choice.text[_lang()]
    return _("an answer this version does not know")


def gate_reason_text(reason: core_gate.GateReason, max_age_days: int) -> str:
    """One gate reason in the user's language: the finding and why it blocks."""
    why = str(GATE_MESSAGES[reason.code])
    if reason.code == core_gate.SCREEN_EXPIRED:
        return why % {"days": max_age_days}
    if reason.finding is None:
        return why
    f = reason.finding
    return _("%(item)s, %(level)s: %(why)s") % {
        "item": item_label(item_of(f.rule)),
        "level": level_label(f.level),
        "why": why,
    }


def gate_sentence(decision: core_gate.GateDecision, max_age_days: int) -> str | None:
    """Why ``decision`` blocks, as one sentence (the three most severe reasons), or None."""
    if decision.allowed:
        return None
    texts = [gate_reason_text(r, max_age_days) for r in decision.reasons]
    shown = "; ".join(texts[:3])
    if len(texts) > 3:
        shown += " " + _("(and %(n)s more)") % {"n": len(texts) - 3}
    return shown
