"""Writes of exam records: one transaction and one access-log entry per user action.

The service takes the raw inputs only and derives every stored value through the core
(``exams.core.build``) itself, so a caller (the form, the CLI, a test) can never store a derived
value that does not follow from the raw inputs it stored with it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.exams import core
from atlaschart.exams.access import exams_of_clinic
from atlaschart.exams.models import ExamRecord
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient


def previous_pre_check(
    actor: Actor, patient: Patient, visit_id: int | None, raw: dict[str, Any] | None = None
) -> ExamRecord | None:
    """The visit's latest pre-adjustment leg check (of the same check type when given)."""
    if visit_id is None:
        return None
    qs = exams_of_clinic(actor).filter(
        patient=patient, visit_id=visit_id, kind="leg_check", timing="pre"
    )
    if raw is not None and raw.get("check_type"):
        qs = qs.filter(raw__check_type=raw["check_type"])
    return qs.first()


@transaction.atomic
def record_exam(
    actor: Actor,
    patient: Patient,
    kind: str,
    *,
    raw: dict[str, Any],
    timing: str = "",
    visit_id: int | None = None,
) -> ExamRecord:
    """Store one exam from its raw inputs; the derived values and summary come from the core.

    Raises the core's ``ExamValidationError`` for inputs it rejects (nothing is written then).
    A post-adjustment leg check is compared with the visit's pre check of the same type."""
    pre = (
        previous_pre_check(actor, patient, visit_id, raw)
        if kind == "leg_check" and timing == "post"
        else None
    )
    derived, summary = core.build(
        kind,
        raw,
        age_years=patient.age_on(timezone.localdate()),
        timing=timing,
        pre_raw=pre.raw if pre is not None else None,
    )
    record = ExamRecord.objects.create(
        patient=patient,
        visit_id=visit_id,
        kind=kind,
        timing=timing,
        raw=raw,
        derived=derived,
        summary=summary[:300],
        examiner=actor.user,
    )
    log_access(
        actor, Action.CREATE, patient=patient, obj=record, detail=f"exam {kind} {timing}".strip()
    )
    if kind in ("neuro", "blood_pressure") and apps.is_installed("atlaschart.safety"):
        # Upper motor neuron signs and blood pressure feed the safety screen: a new screen from
        # the latest answers with these signs laid over them.
        from atlaschart.safety.services import rescreen_with_entries
        from atlaschart.safety.signs import clinician_signs

        rescreen_with_entries(actor, patient, clinician_signs(patient))
    return record
