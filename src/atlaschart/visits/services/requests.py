"""Consultation requests: submitted from the public page, converted into a patient and an
appointment, or declined."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atlaschart.accounts.models import User
from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.visits.access import (
    consultation_request_door,
)
from atlaschart.visits.models import (
    Appointment,
    AppointmentKind,
    ConsultationRequest,
    RequestStatus,
)
from atlaschart.visits.services.appointments import appointment_end, book_slot
from atlaschart.visits.services.common import VisitError, locked_row


@transaction.atomic
def submit_consultation_request(clinic_id: int, data: dict[str, str]) -> ConsultationRequest:
    """From the public page: no user, no patient yet, so nothing for the access log."""
    return ConsultationRequest.objects.create(clinic_id=clinic_id, **data)


@transaction.atomic
def convert_request(
    actor: Actor,
    consultation: ConsultationRequest,
    patient_data: dict[str, Any],
    clinician: User,
    starts_at: datetime,
    minutes: int,
) -> Appointment:
    """Create the patient and book the first appointment, together or not at all."""
    from atlaschart.patients.services import create_patient

    stored = locked_row(consultation_request_door, actor, consultation.pk)
    if stored.status != RequestStatus.NEW:
        raise VisitError(_("This request has already been handled."))
    # Checked before the patient is created, so a refused time leaves no patient behind even
    # if a caller forgets the surrounding transaction.
    appointment_end(starts_at, minutes)
    # The clinician's row is locked before anything is logged: a log row takes the access log's
    # chain lock until commit, and a booking elsewhere takes this row lock and then logs. Taking
    # them in the same order (row, then chain) everywhere is what keeps the two from deadlocking.
    User.objects.select_for_update().filter(pk=clinician.pk).first()
    patient = create_patient(actor, patient_data)
    appointment = book_slot(
        actor,
        patient,
        clinician,
        starts_at,
        minutes,
        _("First consultation"),
        kind=AppointmentKind.CONSULTATION,
    )
    stored.status = RequestStatus.CONVERTED
    stored.patient = patient
    stored.appointment = appointment
    stored.save(update_fields=["status", "patient", "appointment"])
    log_access(
        actor, Action.UPDATE, patient=patient, obj=stored, detail="consultation request converted"
    )
    return appointment


@transaction.atomic
def decline_request(actor: Actor, consultation: ConsultationRequest) -> None:
    stored = locked_row(consultation_request_door, actor, consultation.pk)
    if stored.status != RequestStatus.NEW:
        raise VisitError(_("This request has already been handled."))
    stored.status = RequestStatus.DECLINED
    stored.save(update_fields=["status"])
    log_access(
        actor,
        Action.UPDATE,
        patient=None,
        obj=stored,
        detail="consultation request declined",
    )
