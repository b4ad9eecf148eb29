"""Writes to visit records and the schedule. Each function is one user action: one transaction,
one or more access-log entries. Rule violations raise ``VisitError`` with a translated message
that the view shows; the transaction then rolls back, so nothing is half written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.accounts.models import User
from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.measure.exam.adverse_event import (
    ADVERSE_EVENT_RULE,
    PostTreatmentComplaint,
    SeriousCriterion,
    classify_complaint,
)
from atlaschart.patients.models import Patient
from atlaschart.visits.models import (
    ACTIVE_STATUSES,
    SOAP_FIELDS,
    AdverseEvent,
    Amendment,
    Appointment,
    AppointmentStatus,
    CarePlan,
    CarePlanGoal,
    ClinicProfile,
    ConsentRecord,
    ConsultationRequest,
    RequestStatus,
    Treatment,
    Visit,
)
from atlaschart.visits.safety_gate import signing_block_reason


class VisitError(Exception):
    """A refused action; ``str(err)`` is the translated message for the user."""


# ------------------------------------------------------------------------------- appointments

#: Allowed status changes. Done, no-show and cancelled are final.
TRANSITIONS = {
    AppointmentStatus.BOOKED: {
        AppointmentStatus.ARRIVED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.DONE,
    },
    AppointmentStatus.ARRIVED: {AppointmentStatus.DONE, AppointmentStatus.CANCELLED},
}


def _check_free(
    clinician: User, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None
) -> None:
    # Lock the clinician's row so two bookings for one clinician are checked one after the other.
    User.objects.select_for_update().filter(pk=clinician.pk).first()
    clash = (
        Appointment.objects.filter(
            clinician=clinician,
            status__in=ACTIVE_STATUSES,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk=exclude_id)
        .select_related("patient")
        .first()
    )
    if clash is not None:
        local = timezone.localtime(clash.starts_at)
        raise VisitError(
            _("%(clinician)s is already booked at %(time)s (%(patient)s). Choose another time.")
            % {
                "clinician": clinician,
                "time": local.strftime("%Y-%m-%d %H:%M"),
                "patient": clash.patient.name,
            }
        )


def _book(
    request: HttpRequest,
    patient: Patient,
    clinician: User,
    starts_at: datetime,
    minutes: int,
    note: str = "",
    care_plan: CarePlan | None = None,
) -> Appointment:
    if clinician.clinic_id != patient.clinic_id:
        raise VisitError(_("Choose a clinician of this clinic."))
    if not 5 <= minutes <= 480:
        raise VisitError(_("An appointment lasts between 5 and 480 minutes."))
    ends_at = starts_at + timedelta(minutes=minutes)
    _check_free(clinician, starts_at, ends_at)
    appointment = Appointment.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        clinician=clinician,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        care_plan=care_plan,
    )
    log_access(
        request, Action.CREATE, patient=patient, obj=appointment, detail="appointment booked"
    )
    return appointment


@transaction.atomic
def book_appointment(
    request: HttpRequest,
    patient: Patient,
    clinician: User,
    starts_at: datetime,
    minutes: int,
    note: str = "",
) -> Appointment:
    """Book one appointment; refused (VisitError) if the clinician is busy at that time."""
    return _book(request, patient, clinician, starts_at, minutes, note)


@transaction.atomic
def book_recurring(
    request: HttpRequest, plan: CarePlan, clinician: User, first_start: datetime, minutes: int
) -> list[Appointment]:
    """Book the care plan's visits every ``interval_days``; a clash refuses them all."""
    return [
        _book(
            request,
            plan.patient,
            clinician,
            first_start + timedelta(days=plan.interval_days * n),
            minutes,
            _("Care plan visit %(n)s of %(total)s") % {"n": n + 1, "total": plan.planned_visits},
            plan,
        )
        for n in range(plan.planned_visits)
    ]


@transaction.atomic
def set_status(request: HttpRequest, appointment: Appointment, status: str) -> None:
    stored = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if status not in TRANSITIONS.get(AppointmentStatus(stored.status), set()):
        raise VisitError(
            _("An appointment that is %(status)s cannot change to that status.")
            % {"status": stored.get_status_display()}
        )
    stored.status = status
    stored.save(update_fields=["status"])
    log_access(
        request, Action.UPDATE, patient=stored.patient, obj=stored, detail=f"status {status}"
    )


# ------------------------------------------------------------------------------------- visits


@transaction.atomic
def open_visit(request: HttpRequest, appointment: Appointment) -> Visit:
    """The visit note of this appointment, created from the clinic's template on first opening."""
    stored = Appointment.objects.select_for_update().get(pk=appointment.pk)
    existing = Visit.objects.filter(appointment=stored).first()
    if existing is not None:
        return existing
    if stored.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise VisitError(_("This appointment was cancelled or missed; book a new one."))
    profile = ClinicProfile.objects.filter(clinic_id=stored.clinic_id).first()
    visit = Visit.objects.create(
        patient=stored.patient,
        appointment=stored,
        clinician=request.user,
        visit_date=timezone.localtime(stored.starts_at).date(),
        **{f: getattr(profile, f"template_{f}") if profile else "" for f in SOAP_FIELDS},
    )
    if stored.status == AppointmentStatus.BOOKED:
        stored.status = AppointmentStatus.ARRIVED
        stored.save(update_fields=["status"])
    log_access(
        request, Action.CREATE, patient=stored.patient, obj=visit, detail="visit note opened"
    )
    return visit


def needs_followup(visit: Visit) -> bool:
    """The adverse-event question is due after an earlier visit with a signed treatment."""
    if visit.followup_done:
        return False
    return (
        Treatment.objects.filter(
            visit__patient_id=visit.patient_id,
            visit__visit_date__lte=visit.visit_date,
            signed_at__isnull=False,
        )
        .exclude(visit=visit)
        .exists()
    )


@transaction.atomic
def update_note(request: HttpRequest, visit: Visit, data: dict[str, str], version: int) -> Visit:
    """Save a draft. ``version`` is the number the editor started from: if someone saved in the
    meantime the save is refused instead of overwriting their text."""
    stored = Visit.objects.select_for_update().get(pk=visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is signed. Changes are made as amendments."))
    if stored.version != version:
        raise VisitError(
            _(
                "Someone else saved this note while you were editing it. Your text is still in the "
                "form: reload the note, compare, and save again."
            )
        )
    changed = [f for f in SOAP_FIELDS if getattr(stored, f) != data[f]]
    for f in SOAP_FIELDS:
        setattr(stored, f, data[f])
    stored.version += 1
    stored.save(update_fields=[*SOAP_FIELDS, "version", "updated_at"])
    log_access(
        request,
        Action.UPDATE,
        patient=stored.patient,
        obj=stored,
        detail="fields: " + ", ".join(changed),
    )
    return stored


@transaction.atomic
def sign_note(request: HttpRequest, visit: Visit) -> None:
    stored = Visit.objects.select_for_update().get(pk=visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is already signed."))
    if stored.treatments.filter(signed_at__isnull=True).exists():
        raise VisitError(
            _("Sign or remove the unsigned treatment records before signing the note.")
        )
    if needs_followup(stored):
        raise VisitError(_("Ask the adverse-event follow-up question before signing the note."))
    stored.signed_at = timezone.now()
    stored.signed_by = request.user
    stored.save(update_fields=["signed_at", "signed_by", "updated_at"])
    if stored.appointment_id:
        Appointment.objects.filter(
            pk=stored.appointment_id, status=AppointmentStatus.ARRIVED
        ).update(status=AppointmentStatus.DONE)
    log_access(request, Action.SIGN, patient=stored.patient, obj=stored)


def current_text(visit: Visit) -> dict[str, str]:
    """The note as it reads now: the latest amendment's text, else the signed original."""
    latest = visit.amendments.order_by("-at", "-id").first()
    source: Any = latest or visit
    return {f: getattr(source, f) for f in SOAP_FIELDS}


@transaction.atomic
def amend_note(request: HttpRequest, visit: Visit, data: dict[str, str], reason: str) -> Amendment:
    stored = Visit.objects.select_for_update().get(pk=visit.pk)
    if not stored.is_signed:
        raise VisitError(_("Only a signed note is amended; edit the draft instead."))
    before = current_text(stored)
    changed = [f for f in SOAP_FIELDS if before[f] != data[f]]
    if not changed:
        raise VisitError(_("The amendment changes nothing."))
    amendment = Amendment.objects.create(
        visit=stored,
        author=request.user,
        reason=reason,
        changed_fields=changed,
        **{f: data[f] for f in SOAP_FIELDS},
    )
    log_access(
        request,
        Action.AMEND,
        patient=stored.patient,
        obj=stored,
        detail="fields: " + ", ".join(changed),
    )
    return amendment


# --------------------------------------------------------------------------------- treatments


@transaction.atomic
def add_treatment(request: HttpRequest, visit: Visit, data: dict[str, Any]) -> Treatment:
    stored = Visit.objects.select_for_update().get(pk=visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is signed; treatments can no longer be added to it."))
    treatment = Treatment.objects.create(visit=stored, **data)
    log_access(
        request,
        Action.CREATE,
        patient=stored.patient,
        obj=treatment,
        detail=f"treatment {treatment.kind}",
    )
    return treatment


@transaction.atomic
def sign_treatment(request: HttpRequest, treatment: Treatment) -> None:
    stored = (
        Treatment.objects.select_for_update().select_related("visit__patient").get(pk=treatment.pk)
    )
    if stored.signed_at is not None:
        raise VisitError(_("This treatment is already signed."))
    reason = signing_block_reason(stored.visit.patient, stored.technique, stored.kind)
    if reason is not None:
        raise VisitError(_("Cannot sign: %(reason)s") % {"reason": reason})
    stored.signed_at = timezone.now()
    stored.signed_by = request.user
    stored.save(update_fields=["signed_at", "signed_by"])
    log_access(request, Action.SIGN, patient=stored.visit.patient, obj=stored)


@transaction.atomic
def delete_draft_treatment(request: HttpRequest, treatment: Treatment) -> None:
    stored = (
        Treatment.objects.select_for_update().select_related("visit__patient").get(pk=treatment.pk)
    )
    if stored.signed_at is not None:
        raise VisitError(_("A signed treatment cannot be removed."))
    log_access(
        request,
        Action.UPDATE,
        patient=stored.visit.patient,
        obj=stored,
        detail="draft treatment removed",
    )
    stored.delete()


# ----------------------------------------------------------------------------- adverse events


@transaction.atomic
def record_followup(
    request: HttpRequest, visit: Visit, complaint: dict[str, Any] | None
) -> AdverseEvent | None:
    """Answer the follow-up question: ``None`` = no new or worse complaint. A complaint is
    classified by ``measure.exam.adverse_event``; serious (and intense) ones are escalated."""
    stored = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
    event = None
    if complaint is not None:
        parsed = PostTreatmentComplaint(
            complaint["description"],
            complaint["is_new"],
            complaint["severity_0_10"],
            complaint["onset_h"],
            complaint.get("baseline_severity_0_10"),
            complaint.get("duration_h"),
            tuple(SeriousCriterion(c) for c in complaint.get("serious_criteria", ())),
        )
        result = classify_complaint(parsed)
        event = AdverseEvent.objects.create(
            patient=stored.patient,
            visit=stored,
            description=parsed.description,
            is_new=parsed.is_new,
            severity_0_10=parsed.severity_0_10,
            baseline_severity_0_10=parsed.baseline_severity_0_10,
            onset_h=parsed.onset_h,
            duration_h=parsed.duration_h,
            serious_criteria=[c.value for c in parsed.serious_criteria],
            classification=result.classification.value,
            escalated=result.escalate_to_admin,
            algorithm=ADVERSE_EVENT_RULE.label,
            reported_by=request.user,
        )
        log_access(
            request,
            Action.CREATE,
            patient=stored.patient,
            obj=event,
            detail=f"adverse event {result.classification.value}",
        )
    stored.followup_done = True
    stored.save(update_fields=["followup_done", "updated_at"])
    if event is None:
        log_access(
            request,
            Action.UPDATE,
            patient=stored.patient,
            obj=stored,
            detail="follow-up: nothing new",
        )
    return event


@transaction.atomic
def review_adverse_event(request: HttpRequest, event: AdverseEvent) -> None:
    if event.reviewed_at is not None:
        return
    event.reviewed_at = timezone.now()
    event.reviewed_by = request.user
    event.save(update_fields=["reviewed_at", "reviewed_by"])
    log_access(request, Action.UPDATE, patient=event.patient, obj=event, detail="reviewed by admin")


# ------------------------------------------------------------------------- care plan, consent


@transaction.atomic
def create_care_plan(
    request: HttpRequest, patient: Patient, data: dict[str, Any], goals: list[dict[str, str]]
) -> CarePlan:
    plan = CarePlan.objects.create(patient=patient, created_by=request.user, **data)
    CarePlanGoal.objects.bulk_create([CarePlanGoal(care_plan=plan, **g) for g in goals])
    log_access(request, Action.CREATE, patient=patient, obj=plan, detail="care plan")
    return plan


@transaction.atomic
def record_consent(request: HttpRequest, patient: Patient, data: dict[str, Any]) -> ConsentRecord:
    consent = ConsentRecord.objects.create(patient=patient, recorded_by=request.user, **data)
    log_access(
        request, Action.CREATE, patient=patient, obj=consent, detail=f"consent {consent.kind}"
    )
    return consent


# ---------------------------------------------------------------------- consultation requests


@transaction.atomic
def submit_consultation_request(clinic_id: int, data: dict[str, str]) -> ConsultationRequest:
    """From the public page: no user, no patient yet, so nothing for the access log."""
    return ConsultationRequest.objects.create(clinic_id=clinic_id, **data)


@transaction.atomic
def convert_request(
    request: HttpRequest,
    consultation: ConsultationRequest,
    patient_data: dict[str, Any],
    clinician: User,
    starts_at: datetime,
    minutes: int,
) -> Appointment:
    """Create the patient and book the first appointment, together or not at all."""
    from atlaschart.patients.services import create_patient

    stored = ConsultationRequest.objects.select_for_update().get(pk=consultation.pk)
    if stored.status != RequestStatus.NEW:
        raise VisitError(_("This request has already been handled."))
    patient = create_patient(request, patient_data)
    appointment = _book(request, patient, clinician, starts_at, minutes, _("First consultation"))
    stored.status = RequestStatus.CONVERTED
    stored.patient = patient
    stored.appointment = appointment
    stored.save(update_fields=["status", "patient", "appointment"])
    log_access(
        request, Action.UPDATE, patient=patient, obj=stored, detail="consultation request converted"
    )
    return appointment


@transaction.atomic
def decline_request(request: HttpRequest, consultation: ConsultationRequest) -> None:
    ConsultationRequest.objects.filter(pk=consultation.pk, status=RequestStatus.NEW).update(
        status=RequestStatus.DECLINED
    )
    log_access(
        request,
        Action.UPDATE,
        patient=None,
        obj=consultation,
        detail="consultation request declined",
    )
