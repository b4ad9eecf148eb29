"""Writes of exam records: one transaction and one access-log entry per user action."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.exams.models import ExamRecord
from atlaschart.patients.models import Patient


def previous_pre_check(
    patient: Patient, visit_id: int | None, raw: dict[str, Any] | None = None
) -> ExamRecord | None:
    """The visit's latest pre-adjustment leg check (of the same check type when given)."""
    if visit_id is None:
        return None
    qs = ExamRecord.objects.filter(
        patient=patient, visit_id=visit_id, kind="leg_check", timing="pre"
    )
    if raw is not None and raw.get("check_type"):
        qs = qs.filter(raw__check_type=raw["check_type"])
    return qs.first()


@transaction.atomic
def record_exam(
    request: HttpRequest,
    patient: Patient,
    kind: str,
    *,
    raw: dict[str, Any],
    derived: dict[str, Any],
    summary: str,
    timing: str = "",
    visit_id: int | None = None,
) -> ExamRecord:
    """Store one validated exam (the form has already run the core on ``raw``)."""
    record = ExamRecord.objects.create(
        patient=patient,
        visit_id=visit_id,
        kind=kind,
        timing=timing,
        raw=raw,
        derived=derived,
        summary=summary[:300],
        examiner=request.user,
    )
    log_access(
        request, Action.CREATE, patient=patient, obj=record, detail=f"exam {kind} {timing}".strip()
    )
    if kind in ("neuro", "blood_pressure") and apps.is_installed("atlaschart.safety"):
        # Upper motor neuron signs and blood pressure feed the safety screen: a new screen from
        # the latest answers with these signs laid over them.
        from atlaschart.safety.services import rescreen_with_entries
        from atlaschart.visits.safety_gate import clinician_signs

        rescreen_with_entries(request, patient, clinician_signs(patient))
    return record
