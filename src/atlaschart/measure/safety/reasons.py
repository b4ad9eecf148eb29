"""Reason codes of the safety screen: stable identifiers a page translates, and their English.

Every finding carries a ``code`` (one of :data:`REASON_CODES`) and ``params`` (plain values the
message needs). The English text (``ENGLISH``) is what the CLI prints and what older stored
screens hold as ``reason``; the web layer renders the same code through its translation
catalogue, so a Korean page never shows this English. Codes are part of the stored record: never
rename one; add a new code instead.

Params by code (all JSON-safe):

* ``vascular_risk_factor``: ``factor`` (a ``RISK_FACTORS`` code);
* ``risk_factors_onset_unanswered``, ``risk_factors_acute_onset``: ``count`` (int);
* ``blood_pressure_high``: ``systolic_limit_mmhg``, ``diastolic_limit_mmhg`` (mmHg);
  ``blood_pressure_high_measured`` adds ``systolic_mmhg``, ``diastolic_mmhg`` (as measured);
* ``myelopathy_signs``: ``umn_signs`` (list of sign names without the ``sign_`` prefix, may be
  empty), ``cook_positive`` (int, or None when the Cook cluster did not reach its threshold),
  ``cook_items`` (int, 5);
* ``item_unanswered``: ``item`` (the item id, e.g. ``V4``);
* every other code: no params.
"""

from __future__ import annotations

from collections.abc import Mapping

ParamValue = str | int | float | tuple[str, ...] | None

ENGLISH: dict[str, str] = {
    "vba_symptoms_current": (
        "vertebrobasilar symptoms now or within 72 h (5 D's / 3 N's): "
        "possible cervical arterial dysfunction; stop and send to emergency care (119)"
    ),
    "vba_symptoms_recent": (
        "recent vertebrobasilar symptoms, not within 72 h: possible "
        "cervical arterial dysfunction; same-day medical referral unless explained"
    ),
    "sudden_severe_headache": (
        "sudden severe or unfamiliar headache/neck pain: possible arterial "
        "dissection or haemorrhage; emergency care"
    ),
    "carotid_signs_current": (
        "Horner signs, monocular vision loss, pulsatile tinnitus or lower "
        "cranial nerve signs now or within 72 h: possible carotid dissection; emergency"
    ),
    "carotid_signs_recent": (
        "recent Horner signs, vision loss, pulsatile tinnitus or lower "
        "cranial nerve signs: same-day medical referral"
    ),
    "gait_unsteady": "unsteady gait or incoordination on examination: same-day medical referral",
    "neck_trauma_with_vascular_signs": (
        "recent neck trauma or manipulation with new pain, together "
        "with V1-V4 features: block cervical manual therapy, same-day referral"
    ),
    "neck_trauma_recent": (
        "recent neck trauma or manipulation elsewhere with new neck "
        "pain/headache: no thrust; precaution (W): consent and reduced dosage"
    ),
    "vascular_risk_factor": "vascular risk factor: {factor}",
    "risk_factors_onset_unanswered": (
        "{count} vascular risk factors and onset of neck pain/headache not answered"
    ),
    "risk_factors_acute_onset": (
        "{count} vascular risk factors with acute-onset neck pain/headache: no thrust; "
        "clinician review"
    ),
    "blood_pressure_high": (
        "blood pressure at or above {systolic_limit_mmhg:g}/{diastolic_limit_mmhg:g} mmHg: "
        "no thrust; routine medical referral"
    ),
    "blood_pressure_high_measured": (
        "blood pressure at or above {systolic_limit_mmhg:g}/{diastolic_limit_mmhg:g} mmHg "
        "({systolic_mmhg:g}/{diastolic_mmhg:g} mmHg): no thrust; routine medical referral"
    ),
    "uci_predisposition_with_signs": (
        "condition predisposing to upper cervical instability with "
        "instability symptoms or a positive ligament test: block, refer for imaging"
    ),
    "uci_predisposition": (
        "condition predisposing to upper cervical instability: no thrust; "
        "precaution (W): consent and reduced dosage"
    ),
    "uci_symptoms": (
        "upper cervical instability symptoms: block cervical manual therapy, same-day referral"
    ),
    "ligament_test_positive": (
        "positive Sharp-Purser or ligament stress test: block, refer for imaging"
    ),
    "myelopathy_symptoms": (
        "hand clumsiness, gait change or bladder/bowel change: possible "
        "myelopathy; same-day referral"
    ),
    "myelopathy_signs": "myelopathy signs{detail}: block, same-day referral",
    "progressive_neuro_deficit": (
        "progressive limb weakness/numbness or multi-level root signs: block, same-day referral"
    ),
    "canadian_c_spine_positive": "Canadian C-Spine Rule positive: imaging first; emergency care",
    "nexus_not_low_risk": "NEXUS low-risk criteria not met: imaging first; emergency care",
    "cancer_history_flags": (
        "cancer history with new spinal pain, unexplained weight "
        "loss or unremitting night/rest pain: refer before the next session"
    ),
    "malignancy_active": "possible malignancy (active cancer): block, same-day referral",
    "malignancy_not_ruled_out": (
        "possible malignancy (active cancer not ruled out): block, same-day referral"
    ),
    "spinal_infection": (
        "possible spinal infection (fever, IV drug use, "
        "immunosuppression, recent infection/procedure): same-day referral"
    ),
    "fracture_suspected": (
        "fracture suspected (osteoporosis, steroids, age >70 or "
        "minor trauma): block, refer before the next session"
    ),
    "fracture_risk": (
        "fracture risk (osteoporosis, long-term steroids, age >70 or minor "
        "trauma with sudden pain): no thrust"
    ),
    "cauda_equina": "possible cauda equina syndrome: emergency care",
    "systemically_unwell": "systemically unwell: refer before the next session",
    "cardiac_ischaemia": "possible cardiac ischaemia: emergency care (119)",
    "aortic_dissection": "possible aortic dissection: emergency care (119)",
    "pulmonary_cause": "possible pulmonary embolism or other pulmonary cause: emergency care",
    "visceral_source": (
        "possible visceral (gastrointestinal, hepatobiliary or renal) "
        "source: refer before the next session"
    ),
    "shingles": "band-like burning pain: possible shingles; consider referral",
    "inflammatory_back_pain": "inflammatory back pain pattern: routine referral",
    "general_precaution": (
        "general precaution (age at first episode, pregnancy, anticoagulants, "
        "hypermobility, inflammatory disease or past cancer)"
    ),
    "declines_manual_therapy": (
        "patient declines manual therapy: no manual therapy without "
        "consent (not a medical referral)"
    ),
    "item_unanswered": "{item} not answered: the screen cannot rule this out",
}

REASON_CODES: frozenset[str] = frozenset(ENGLISH)


def english(code: str, params: Mapping[str, ParamValue], risk_factor_en: Mapping[str, str]) -> str:
    """The English reason for ``code`` (the CLI's ``reason``). ``risk_factor_en`` names each
    risk-factor code in English (passed in so this module needs no question data)."""
    if code == "vascular_risk_factor":
        return ENGLISH[code].format(factor=risk_factor_en[str(params["factor"])])
    if code == "myelopathy_signs":
        return ENGLISH[code].format(detail=_myelopathy_detail(params))
    return ENGLISH[code].format(**params)


def _myelopathy_detail(params: Mapping[str, ParamValue]) -> str:
    parts = []
    umn = params.get("umn_signs") or ()
    if umn:
        parts.append("upper motor neuron sign: " + ", ".join(umn))  # type: ignore[arg-type]
    if params.get("cook_positive") is not None:
        parts.append(f"Cook cluster {params['cook_positive']}/{params.get('cook_items', 5)}")
    return f" ({'; '.join(parts)})" if parts else ""
