"""Writes to patient records. Each function is one user action: one transaction, one log entry.

They take the acting user (an ``Actor``), not the request, so the web views, the demo loader and
the CLI share one chart-number counter and one audit trail.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.clinics.models import Clinic
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient


def _next_chart_number(clinic_id: int) -> str:
    """The clinic's next free chart number; skips numbers staff typed in by hand."""
    while True:
        Clinic.objects.filter(pk=clinic_id).update(chart_counter=F("chart_counter") + 1)
        counter = Clinic.objects.values_list("chart_counter", flat=True).get(pk=clinic_id)
        number = f"{counter:06d}"
        if not Patient.objects.filter(clinic_id=clinic_id, chart_number=number).exists():
            return number


@transaction.atomic
def create_patient(actor: Actor, data: dict[str, Any]) -> Patient:
    """Create a patient in the actor's clinic. An empty chart number gets the clinic's next one."""
    clinic_id = actor.clinic_id
    if clinic_id is None:
        raise PermissionDenied
    patient = Patient(clinic_id=clinic_id, **data)
    if not patient.chart_number:
        patient.chart_number = _next_chart_number(clinic_id)
    patient.save()
    log_access(actor, Action.CREATE, patient=patient)
    return patient


@transaction.atomic
def update_patient(actor: Actor, patient: Patient, data: dict[str, Any]) -> list[str]:
    """Apply changed fields; logs which fields changed (names only, not values).

    Compares with the stored row, not with ``patient``: a bound ModelForm has already copied the
    submitted values onto its instance.
    """
    stored = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = [field for field, value in data.items() if getattr(stored, field) != value]
    if not changed:
        return []
    for field in changed:
        setattr(stored, field, data[field])
    stored.save(update_fields=[*changed, "updated_at"])
    log_access(actor, Action.UPDATE, patient=stored, detail="fields: " + ", ".join(changed))
    return changed


@transaction.atomic
def archive_patient(actor: Actor, patient: Patient) -> None:
    if patient.archived_at is not None:
        return
    patient.archived_at = timezone.now()
    patient.save(update_fields=["archived_at", "updated_at"])
    log_access(actor, Action.ARCHIVE, patient=patient)


@transaction.atomic
def restore_patient(actor: Actor, patient: Patient) -> None:
    if patient.archived_at is None:
        return
    patient.archived_at = None
    patient.save(update_fields=["archived_at", "updated_at"])
    log_access(actor, Action.RESTORE, patient=patient)
