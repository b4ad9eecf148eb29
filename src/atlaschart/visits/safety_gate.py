"""The one place that decides whether a treatment may be signed: the safety screen gate.

``signing_block_reason(patient, technique, kind)`` returns ``None`` when signing is allowed, or a
translated sentence saying why not. Rules (outcomes_safety.md §3.3):

* ``E``, ``B-urgent``, ``B-routine``: block every treatment;
* ``H``: block thrust techniques (``techniques.is_thrust``), allow non-thrust ones;
* ``W`` and ``none-found``: allowed (the precaution is shown on the page).

Where the screen comes from:

1. if the ``atlaschart.safety`` app is installed, from its
   ``atlaschart.safety.services.current_gate(patient) -> (level, unresolved reasons)`` (there,
   acknowledging or overriding a finding resolves it); if that function is missing the gate
   blocks ("safety screen unavailable");
2. otherwise from this project's fallback: the latest "Pre-treatment safety screen" exam record's
   answers plus the clinician signs of the latest neurological and blood-pressure exams and the
   patient's age, run through ``atlaschart.measure.safety.screen``.

Fails closed: no screen, an expired one (older than ``ATLASCHART_SAFETY_SCREEN_MAX_AGE_DAYS``,
default 30) or one that cannot be read all block.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.measure.safety import ScreenInputError, ScreenResult, screen
from atlaschart.patients.models import Patient
from atlaschart.visits.techniques import is_thrust

BLOCK_ALL = ("E", "B-urgent", "B-routine")


def _max_age() -> timedelta:
    return timedelta(days=int(getattr(settings, "ATLASCHART_SAFETY_SCREEN_MAX_AGE_DAYS", 30)))


def clinician_signs(patient: Patient) -> dict[str, Any]:
    """Safety-screen sign keys from the latest neuro and blood-pressure exams and the age."""
    from atlaschart.exams.models import ExamRecord

    signs: dict[str, Any] = {"age_years": float(patient.age_on(timezone.localdate()))}
    neuro = ExamRecord.objects.filter(patient=patient, kind="neuro").first()
    if neuro is not None:
        for key, value in (neuro.derived.get("umn_signs") or {}).items():
            if (
                key in ("hoffmann", "babinski", "inverted_supinator", "clonus", "hyperreflexia")
                and value is not None
            ):
                signs[f"sign_{key}"] = value
            if key == "gait_abnormal" and value is not None:
                signs["sign_gait_abnormal"] = value
    bp = ExamRecord.objects.filter(patient=patient, kind="blood_pressure").first()
    if bp is not None:
        systolic = [bp.raw.get(f"{s}_systolic") for s in ("left", "right")]
        diastolic = [bp.raw.get(f"{s}_diastolic") for s in ("left", "right")]
        if any(v is not None for v in systolic) and any(v is not None for v in diastolic):
            signs["bp_systolic_mmhg"] = float(max(v for v in systolic if v is not None))
            signs["bp_diastolic_mmhg"] = float(max(v for v in diastolic if v is not None))
    return signs


def fallback_screen(patient: Patient) -> tuple[ScreenResult | None, str | None]:
    """(result, reason it could not be used)."""
    from atlaschart.exams.models import ExamRecord

    record = ExamRecord.objects.filter(patient=patient, kind="safety_screen").first()
    if record is None:
        return None, _("no safety screen")
    if timezone.now() - record.created_at > _max_age():
        return None, _("the safety screen is older than %(days)s days; repeat it") % {
            "days": _max_age().days
        }
    try:
        return screen({**record.raw, **clinician_signs(patient)}), None
    except ScreenInputError:
        return None, _("the safety screen could not be read; repeat it")


def _installed_app_reason(patient: Patient, technique: str, kind: str) -> str | None:
    """Gate through ``atlaschart.safety.services.current_gate_findings(patient)``: unresolved
    E/B/W findings block every treatment; when only H findings are unresolved, thrust
    techniques are blocked."""
    try:
        module = importlib.import_module("atlaschart.safety.services")
        gate = module.current_gate_findings
    except (ImportError, AttributeError):
        return _("safety screen unavailable")
    level, findings = gate(patient)
    if level == module.NOT_SCREENED:
        return _("no safety screen")
    if not findings:
        return None
    only_h = all(f["level"] == "H" for f in findings)
    if only_h and (kind == "injection" or not is_thrust(technique)):
        return None
    reasons = [f"{f['rule']} ({f['level']}): {f['reason']}" for f in findings]
    label = _("Safety screen level %(level)s, unresolved: %(reasons)s")
    return label % {"level": level, "reasons": "; ".join(reasons[:3])}


def signing_block_reason(
    patient: Patient, technique: str, kind: str = "uc_adjustment"
) -> str | None:
    """None if a treatment with this technique may be signed now, else why not (translated)."""
    if apps.is_installed("atlaschart.safety"):
        return _installed_app_reason(patient, technique, kind)
    result, problem = fallback_screen(patient)
    if result is None:
        return problem or _("no safety screen")
    top = [f.reason for f in result.findings if f.level == result.level][:3]
    if result.level in BLOCK_ALL:
        return _("Safety screen level %(level)s blocks all treatment: %(reasons)s") % {
            "level": result.level,
            "reasons": "; ".join(top),
        }
    # Injections are not manual therapy: H (thrust only) does not apply to them.
    if result.level == "H" and kind != "injection" and is_thrust(technique):
        return _("Safety screen level H blocks thrust techniques: %(reasons)s") % {
            "reasons": "; ".join(top)
        }
    return None
