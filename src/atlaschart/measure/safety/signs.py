"""Clinician signs from the exams, as the screen's input keys (``questions.CLINICIAN_SIGNS``).

The neurological exam reports upper motor neuron findings under the keys of
``measure.exam.neuro.UMN_SIGN_KEYS``; the screen reads them as ``sign_<key>``. The Cook cluster's
own verdict (``cook_cluster_positive``) is not passed on: the screen counts the cluster itself
from the same signs and the age (``measure.safety.cook``), so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: Exam key -> screen key, for every UMN key the screen reads.
SCREEN_KEY_OF_UMN: dict[str, str] = {
    "hoffmann": "sign_hoffmann",
    "babinski": "sign_babinski",
    "inverted_supinator": "sign_inverted_supinator",
    "clonus": "sign_clonus",
    "hyperreflexia": "sign_hyperreflexia",
    "gait_abnormal": "sign_gait_abnormal",
}


def signs_from_umn(umn: Mapping[str, bool | None]) -> dict[str, bool]:
    """The examined signs (None = not examined is left out, never read as negative)."""
    return {
        SCREEN_KEY_OF_UMN[key]: value
        for key, value in umn.items()
        if key in SCREEN_KEY_OF_UMN and value is not None
    }


def signs_from_blood_pressure(
    systolic_mmhg: Iterable[float | None], diastolic_mmhg: Iterable[float | None]
) -> dict[str, float]:
    """The higher reading of each pressure over the arms measured (mmHg, as measured); nothing
    unless both pressures were measured on some arm."""
    systolic = [float(v) for v in systolic_mmhg if v is not None]
    diastolic = [float(v) for v in diastolic_mmhg if v is not None]
    if not systolic or not diastolic:
        return {}
    return {"bp_systolic_mmhg": max(systolic), "bp_diastolic_mmhg": max(diastolic)}
