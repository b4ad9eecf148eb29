"""Writes to visit records and the schedule. Each function is one user action: one transaction,
one or more access-log entries. Each takes the acting user (``actor``) first, so the web views,
the CLI and the demo loader go through the same rules and write the same audit rows.

Rule violations raise ``VisitError`` with a translated message that the view shows; the
transaction then rolls back, so nothing is half written. Stored rows are re-read (and locked)
through this app's doors, so a service handed another clinic's object refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.accounts.models import User
from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.access import Door, RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.measure.exam.adverse_event import (
    ADVERSE_EVENT_RULE,
    PostTreatmentComplaint,
    SeriousCriterion,
    classify_complaint,
)
from atlaschart.patients.models import Patient
from atlaschart.visits import calendar_rules
from atlaschart.visits.access import (
    adverse_event_door,
    appointment_door,
    appointments_of_clinic,
    care_plans_of_clinic,
    consultation_request_door,
    treatment_door,
    treatments_of_clinic,
    visit_door,
    visits_of_clinic,
)
from atlaschart.visits.models import (
    ACTIVE_STATUSES,
    FIRST_YEAR,
    LAST_YEAR,
    SOAP_FIELDS,
    AdverseEvent,
    Amendment,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CarePlan,
    CarePlanGoal,
    ClinicProfile,
    ConsentKind,
    ConsentRecord,
    ConsultationRequest,
    RequestStatus,
    Treatment,
    TreatmentKind,
    Visit,
)
from atlaschart.visits.safety_gate import signing_block_reason

M = TypeVar("M", bound=models.Model)


class VisitError(Exception):
    """A refused action; ``str(err)`` is the translated message for the user."""


class NeedsConfirmation(VisitError):
    """The booking is allowed but unusual (holiday, closed day, outside the hours): nothing was
    booked; ``warnings`` says why, and the same booking with ``confirmed=True`` goes through."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(" ".join(warnings))
        self.warnings = warnings


@dataclass(frozen=True)
class StoredNote:
    """The note as stored when an amendment was refused: its text and who changed it last."""

    text: dict[str, str]
    version: int
    last_author: str
    last_at: datetime | None


class AmendmentConflict(VisitError):
    """Someone amended the note after this author opened it; nothing was saved.

    ``stored`` is the text now stored, so the page can show it beside the author's own text.
    """

    def __init__(self, message: str, stored: StoredNote) -> None:
        super().__init__(message)
        self.stored = stored


def _locked(door: Door[M], actor: Actor, pk: Any) -> M:
    """The stored row ``pk`` of the actor's clinic, locked until the transaction ends.

    ``of=("self",)`` locks only this row on PostgreSQL, not the patient row the clinic filter
    joins (two notes of one patient must not wait on each other).
    """
    obj = door.of_clinic(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise RecordNotFound(f"No such {door.label}")
    return obj


def _acting_user(actor: Actor) -> User:
    if actor.user is None or actor.clinic_id is None:
        raise VisitError(_("Sign in as a member of the clinic to do this."))
    return actor.user


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


def bookable_range_message() -> str:
    return _("Choose a time between %(first)s and %(last)s.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def _ends_at(starts_at: datetime, minutes: int) -> datetime:
    """The end of a slot, refused (not overflowed) outside the bookable years."""
    try:
        ends_at = starts_at + timedelta(minutes=minutes)
    except OverflowError:
        raise VisitError(bookable_range_message()) from None
    if starts_at.year < FIRST_YEAR or ends_at.year > LAST_YEAR:
        raise VisitError(bookable_range_message())
    return ends_at


def _check_free(
    actor: Actor,
    clinician: User,
    starts_at: datetime,
    ends_at: datetime,
    exclude_id: int | None = None,
) -> None:
    # Lock the clinician's row so two bookings for one clinician are checked one after the other.
    User.objects.select_for_update().filter(pk=clinician.pk).first()
    clash = (
        appointments_of_clinic(actor)
        .filter(
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
    actor: Actor,
    patient: Patient,
    clinician: User,
    starts_at: datetime,
    minutes: int,
    note: str = "",
    care_plan: CarePlan | None = None,
    kind: str = AppointmentKind.ADJUSTMENT,
    confirmed: bool = True,
) -> Appointment:
    if kind not in AppointmentKind.values:
        raise VisitError(_("Choose a type of appointment."))
    if patient.clinic_id != actor.clinic_id or clinician.clinic_id != patient.clinic_id:
        raise VisitError(_("Choose a clinician of this clinic."))
    if not 5 <= minutes <= 480:
        raise VisitError(_("An appointment lasts between 5 and 480 minutes."))
    ends_at = _ends_at(starts_at, minutes)
    _check_free(actor, clinician, starts_at, ends_at)
    if not confirmed:
        warnings = booking_warnings(patient.clinic_id, [starts_at], minutes)
        if warnings:
            raise NeedsConfirmation(warnings)
    appointment = Appointment.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        clinician=clinician,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        care_plan=care_plan,
    )
    log_access(actor, Action.CREATE, patient=patient, obj=appointment, detail="appointment booked")
    return appointment


@transaction.atomic
def book_appointment(
    actor: Actor,
    patient: Patient,
    clinician: User,
    starts_at: datetime,
    minutes: int,
    note: str = "",
    kind: str = AppointmentKind.ADJUSTMENT,
    confirmed: bool = True,
) -> Appointment:
    """Book one appointment; refused (VisitError) if the clinician is busy at that time. With
    ``confirmed=False`` a holiday or a time outside the hours raises :class:`NeedsConfirmation`
    (after the hard checks, so a clash is reported first)."""
    return _book(
        actor, patient, clinician, starts_at, minutes, note, kind=kind, confirmed=confirmed
    )


def booking_warnings(clinic_id: int, starts: list[datetime], minutes: int) -> list[str]:
    """What is unusual about booking at these times (holiday, closed day, outside the hours),
    each warning once, for the form to show before the user confirms."""
    profile = ClinicProfile.objects.filter(clinic_id=clinic_id).first()
    seen: list[str] = []
    for start in starts:
        try:
            end = start + timedelta(minutes=minutes)
        except OverflowError:
            continue
        for warning in calendar_rules.booking_warnings(profile, start, end):
            if warning not in seen:
                seen.append(warning)
    return seen


def care_plan_starts(plan: CarePlan, first_start: datetime) -> list[datetime]:
    """The start of each of the plan's visits, every ``interval_days`` from ``first_start``;
    VisitError (not OverflowError) when the last would fall outside the bookable years."""
    try:
        starts = [
            first_start + timedelta(days=plan.interval_days * n) for n in range(plan.planned_visits)
        ]
    except OverflowError:
        raise VisitError(_("The last visit of the plan falls too far in the future.")) from None
    if starts and starts[-1].year > LAST_YEAR:
        raise VisitError(_("The last visit of the plan falls too far in the future."))
    return starts


@transaction.atomic
def book_recurring(
    actor: Actor,
    plan: CarePlan,
    clinician: User,
    first_start: datetime,
    minutes: int,
    confirmed: bool = True,
) -> list[Appointment]:
    """Book the care plan's visits every ``interval_days``; a clash refuses them all. With
    ``confirmed=False`` any holiday or out-of-hours visit raises :class:`NeedsConfirmation`."""
    starts = care_plan_starts(plan, first_start)
    if not confirmed:
        warnings = booking_warnings(plan.patient.clinic_id, starts, minutes)
        if warnings:
            raise NeedsConfirmation(warnings)
    return [
        _book(
            actor,
            plan.patient,
            clinician,
            start,
            minutes,
            _("Care plan visit %(n)s of %(total)s") % {"n": n + 1, "total": plan.planned_visits},
            plan,
        )
        for n, start in enumerate(starts)
    ]


@transaction.atomic
def set_status(actor: Actor, appointment: Appointment, status: str) -> None:
    stored = _locked(appointment_door, actor, appointment.pk)
    if status not in TRANSITIONS.get(AppointmentStatus(stored.status), set()):
        raise VisitError(
            _("An appointment that is %(status)s cannot change to that status.")
            % {"status": stored.get_status_display()}
        )
    stored.status = status
    fields = ["status"]
    if status == AppointmentStatus.ARRIVED:
        # Check-in at the front desk: the time the patient arrived, for the waiting list.
        stored.arrived_at = timezone.now()
        fields.append("arrived_at")
    stored.save(update_fields=fields)
    log_access(actor, Action.UPDATE, patient=stored.patient, obj=stored, detail=f"status {status}")


# ------------------------------------------------------------------------------------- visits


@transaction.atomic
def open_visit(actor: Actor, appointment: Appointment) -> Visit:
    """The visit note of this appointment, created from the clinic's template on first opening."""
    clinician = _acting_user(actor)
    stored = _locked(appointment_door, actor, appointment.pk)
    existing = visits_of_clinic(actor).filter(appointment=stored).first()
    if existing is not None:
        return existing
    if stored.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise VisitError(_("This appointment was cancelled or missed; book a new one."))
    _not_before_its_day(timezone.localtime(stored.starts_at).date())
    profile = ClinicProfile.objects.filter(clinic_id=stored.clinic_id).first()
    visit = Visit.objects.create(
        patient=stored.patient,
        appointment=stored,
        clinician=clinician,
        visit_date=timezone.localtime(stored.starts_at).date(),
        **{f: getattr(profile, f"template_{f}") if profile else "" for f in SOAP_FIELDS},
    )
    if stored.status == AppointmentStatus.BOOKED:
        stored.status = AppointmentStatus.ARRIVED
        stored.arrived_at = stored.arrived_at or timezone.now()
        stored.save(update_fields=["status", "arrived_at"])
    log_access(actor, Action.CREATE, patient=stored.patient, obj=visit, detail="visit note opened")
    return visit


def _not_before_its_day(day: Any) -> None:
    """A visit is documented on or after its appointment's day, never ahead of it: a note
    written before the patient came would record care that has not happened."""
    if day > timezone.localdate():
        raise VisitError(
            _("This visit is on %(day)s. It cannot be documented before that day.")
            % {"day": day.isoformat()}
        )


def needs_followup(who: Actor | HttpRequest, visit: Visit) -> bool:
    """The adverse-event question is due after an earlier visit with a signed treatment."""
    if visit.followup_done:
        return False
    return (
        treatments_of_clinic(who)
        .filter(
            visit__patient_id=visit.patient_id,
            visit__visit_date__lte=visit.visit_date,
            signed_at__isnull=False,
        )
        .exclude(visit=visit)
        .exists()
    )


@transaction.atomic
def update_note(actor: Actor, visit: Visit, data: dict[str, str], version: int) -> Visit:
    """Save a draft. ``version`` is the number the editor started from: if someone saved in the
    meantime the save is refused instead of overwriting their text."""
    stored = _locked(visit_door, actor, visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is signed. Changes are made as amendments."))
    _not_before_its_day(stored.visit_date)
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
        actor,
        Action.UPDATE,
        patient=stored.patient,
        obj=stored,
        detail="fields: " + ", ".join(changed),
    )
    return stored


@transaction.atomic
def sign_note(actor: Actor, visit: Visit) -> None:
    signer = _acting_user(actor)
    stored = _locked(visit_door, actor, visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is already signed."))
    _not_before_its_day(stored.visit_date)
    if stored.treatments.filter(signed_at__isnull=True).exists():
        raise VisitError(
            _("Sign or remove the unsigned treatment records before signing the note.")
        )
    if needs_followup(actor, stored):
        raise VisitError(_("Ask the adverse-event follow-up question before signing the note."))
    stored.signed_at = timezone.now()
    stored.signed_by = signer
    stored.save(update_fields=["signed_at", "signed_by", "updated_at"])
    if stored.appointment_id:
        appointments_of_clinic(actor).filter(
            pk=stored.appointment_id, status=AppointmentStatus.ARRIVED
        ).update(status=AppointmentStatus.DONE)
    log_access(actor, Action.SIGN, patient=stored.patient, obj=stored)


def _latest_amendment(visit: Visit) -> Amendment | None:
    return visit.amendments.select_related("author").order_by("-at", "-id").first()


def current_text(visit: Visit) -> dict[str, str]:
    """The note as it reads now: the latest amendment's text, else the signed original."""
    source: Any = _latest_amendment(visit) or visit
    return {f: getattr(source, f) for f in SOAP_FIELDS}


def note_version(visit: Visit) -> int:
    """Which text of a signed note an author sees: 0 for the signed original, ``n`` after ``n``
    amendments. Amendments are never removed, so the number only grows."""
    return visit.amendments.count()


@transaction.atomic
def amend_note(
    actor: Actor, visit: Visit, data: dict[str, str], reason: str, version: int
) -> Amendment:
    """Amend a signed note. ``version`` is the :func:`note_version` the author saw; if someone
    amended the note since, nothing is saved and :class:`AmendmentConflict` carries the text now
    stored, so the author can compare and lose nothing."""
    author = _acting_user(actor)
    # The lock makes "check the version, then add the amendment" one step: a second author
    # waits here until the first has committed, then sees the new version and is refused.
    stored = _locked(visit_door, actor, visit.pk)
    if not stored.is_signed:
        raise VisitError(_("Only a signed note is amended; edit the draft instead."))
    if note_version(stored) != version:
        latest = _latest_amendment(stored)
        raise AmendmentConflict(
            _(
                "Someone amended this note while you were writing. Nothing was saved: your text "
                "is below, with the note as it reads now. Compare them and save again."
            ),
            StoredNote(
                text=current_text(stored),
                version=note_version(stored),
                last_author=str(latest.author) if latest else "",
                last_at=latest.at if latest else None,
            ),
        )
    before = current_text(stored)
    changed = [f for f in SOAP_FIELDS if before[f] != data[f]]
    if not changed:
        raise VisitError(_("The amendment changes nothing."))
    amendment = Amendment.objects.create(
        visit=stored,
        author=author,
        reason=reason,
        changed_fields=changed,
        **{f: data[f] for f in SOAP_FIELDS},
    )
    log_access(
        actor,
        Action.AMEND,
        patient=stored.patient,
        obj=stored,
        detail="fields: " + ", ".join(changed),
    )
    return amendment


# --------------------------------------------------------------------------------- treatments


@transaction.atomic
def add_treatment(actor: Actor, visit: Visit, data: dict[str, Any]) -> Treatment:
    stored = _locked(visit_door, actor, visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is signed; treatments can no longer be added to it."))
    _not_before_its_day(stored.visit_date)
    data = dict(data)
    given_at = data.pop("given_at", None)
    if data.get("kind") == TreatmentKind.INJECTION:
        _check_injection_consent(stored, data.get("consent"))
        if given_at is not None:
            data["administered_at"] = timezone.make_aware(
                datetime.combine(stored.visit_date, given_at)
            )
    else:
        data["consent"] = None
    treatment = Treatment.objects.create(visit=stored, **data)
    log_access(
        actor,
        Action.CREATE,
        patient=stored.patient,
        obj=treatment,
        detail=f"treatment {treatment.kind}",
    )
    return treatment


def _check_injection_consent(visit: Visit, consent: ConsentRecord | None) -> None:
    """An injection needs this patient's consent to injections, given by the visit's day and not
    withdrawn; checked again here, whatever the form offered."""
    if (
        consent is None
        or consent.patient_id != visit.patient_id
        or consent.kind != ConsentKind.INJECTION
        or consent.given_on > visit.visit_date
        or (consent.withdrawn_on is not None and consent.withdrawn_on <= visit.visit_date)
    ):
        raise VisitError(_("Record the patient's consent to the injection first, then choose it."))


def _locked_treatment(actor: Actor, treatment: Treatment) -> Treatment:
    stored = (
        treatments_of_clinic(actor)
        .select_for_update(of=("self",))
        .select_related("visit__patient")
        .filter(pk=treatment.pk)
        .first()
    )
    if stored is None:
        raise RecordNotFound(f"No such {treatment_door.label}")
    return stored


@transaction.atomic
def sign_treatment(actor: Actor, treatment: Treatment) -> None:
    signer = _acting_user(actor)
    stored = _locked_treatment(actor, treatment)
    if stored.signed_at is not None:
        raise VisitError(_("This treatment is already signed."))
    reason = signing_block_reason(stored.visit.patient, stored.technique, stored.kind)
    if reason is not None:
        raise VisitError(_("Cannot sign: %(reason)s") % {"reason": reason})
    stored.signed_at = timezone.now()
    stored.signed_by = signer
    stored.save(update_fields=["signed_at", "signed_by"])
    log_access(actor, Action.SIGN, patient=stored.visit.patient, obj=stored)


@transaction.atomic
def delete_draft_treatment(actor: Actor, treatment: Treatment) -> None:
    stored = _locked_treatment(actor, treatment)
    if stored.signed_at is not None:
        raise VisitError(_("A signed treatment cannot be removed."))
    log_access(
        actor,
        Action.UPDATE,
        patient=stored.visit.patient,
        obj=stored,
        detail="draft treatment removed",
    )
    stored.delete()


# ----------------------------------------------------------------------------- adverse events


@transaction.atomic
def record_followup(
    actor: Actor, visit: Visit, complaint: dict[str, Any] | None
) -> AdverseEvent | None:
    """Answer the follow-up question: ``None`` = no new or worse complaint. A complaint is
    classified by ``measure.exam.adverse_event``; serious (and intense) ones are escalated."""
    reporter = _acting_user(actor)
    stored = _locked(visit_door, actor, visit.pk)
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
            reported_by=reporter,
        )
        log_access(
            actor,
            Action.CREATE,
            patient=stored.patient,
            obj=event,
            detail=f"adverse event {result.classification.value}",
        )
    stored.followup_done = True
    stored.save(update_fields=["followup_done", "updated_at"])
    if event is None:
        log_access(
            actor,
            Action.UPDATE,
            patient=stored.patient,
            obj=stored,
            detail="follow-up: nothing new",
        )
    return event


@transaction.atomic
def review_adverse_event(actor: Actor, event: AdverseEvent) -> None:
    reviewer = _acting_user(actor)
    stored = _locked(adverse_event_door, actor, event.pk)
    if stored.reviewed_at is not None:
        return
    stored.reviewed_at = timezone.now()
    stored.reviewed_by = reviewer
    stored.save(update_fields=["reviewed_at", "reviewed_by"])
    log_access(actor, Action.UPDATE, patient=stored.patient, obj=stored, detail="reviewed by admin")


# ------------------------------------------------------------------------- care plan, consent


def _own_patient(actor: Actor, patient: Patient) -> None:
    if actor.clinic_id is None or patient.clinic_id != actor.clinic_id:
        raise RecordNotFound("No such patient")


@transaction.atomic
def create_care_plan(
    actor: Actor, patient: Patient, data: dict[str, Any], goals: list[dict[str, str]]
) -> CarePlan:
    author = _acting_user(actor)
    _own_patient(actor, patient)
    plan = CarePlan.objects.create(patient=patient, created_by=author, **data)
    allowed = {"description", "measure", "target", "target_value", "target_date"}
    CarePlanGoal.objects.bulk_create(
        [
            CarePlanGoal(care_plan=plan, **{k: v for k, v in g.items() if k in allowed})
            for g in goals
        ]
    )
    log_access(actor, Action.CREATE, patient=patient, obj=plan, detail="care plan")
    return plan


@transaction.atomic
def record_consent(actor: Actor, patient: Patient, data: dict[str, Any]) -> ConsentRecord:
    recorder = _acting_user(actor)
    _own_patient(actor, patient)
    consent = ConsentRecord.objects.create(patient=patient, recorded_by=recorder, **data)
    log_access(actor, Action.CREATE, patient=patient, obj=consent, detail=f"consent {consent.kind}")
    return consent


# ---------------------------------------------------------------------- consultation requests


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

    stored = _locked(consultation_request_door, actor, consultation.pk)
    if stored.status != RequestStatus.NEW:
        raise VisitError(_("This request has already been handled."))
    # Checked before the patient is created, so a refused time leaves no patient behind even
    # if a caller forgets the surrounding transaction.
    _ends_at(starts_at, minutes)
    # The clinician's row is locked before anything is logged: a log row takes the access log's
    # chain lock until commit, and a booking elsewhere takes this row lock and then logs. Taking
    # them in the same order (row, then chain) everywhere is what keeps the two from deadlocking.
    User.objects.select_for_update().filter(pk=clinician.pk).first()
    patient = create_patient(actor, patient_data)
    appointment = _book(
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
    stored = _locked(consultation_request_door, actor, consultation.pk)
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


# ----------------------------------------------------------------------- front desk: recalls


@dataclass(frozen=True)
class DueFollowup:
    """A patient whose care plan's next visit is due and who has nothing booked."""

    patient: Patient
    due_on: Any
    visits_done: int
    planned_visits: int


def due_followups(who: Actor | HttpRequest, day: Any) -> list[DueFollowup]:
    """Patients to call: their latest care plan still has visits to come, the next one is due
    (the last visit, or the plan's start, plus the plan's interval, on or before ``day``) and
    no appointment is booked from ``day`` on. Scheduling facts only: no clinical content."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    booked = set(
        appointments_of_clinic(who)
        .filter(starts_at__gte=start, status__in=ACTIVE_STATUSES)
        .values_list("patient_id", flat=True)
    )
    plans: dict[int, CarePlan] = {}
    for plan in care_plans_of_clinic(who).select_related("patient").order_by("start_date", "id"):
        plans[plan.patient_id] = plan  # the latest plan of each patient wins
    # One query for every planned patient's visit dates, grouped here (no query per patient).
    dates: dict[int, list[Any]] = {}
    for patient_id, visit_date in (
        visits_of_clinic(who)
        .filter(patient_id__in=list(plans))
        .values_list("patient_id", "visit_date")
    ):
        dates.setdefault(patient_id, []).append(visit_date)
    due = []
    for patient_id, plan in plans.items():
        if patient_id in booked or plan.start_date > day:
            continue
        visit_dates = [d for d in dates.get(patient_id, []) if d >= plan.start_date]
        if len(visit_dates) >= plan.planned_visits:
            continue
        last = max(visit_dates, default=None)
        due_on = last + timedelta(days=plan.interval_days) if last else plan.start_date
        if due_on <= day:
            due.append(DueFollowup(plan.patient, due_on, len(visit_dates), plan.planned_visits))
    return sorted(due, key=lambda d: (d.due_on, d.patient.name))


#: A re-assessment not done within this many days of its due date is shown as overdue.
REASSESSMENT_GRACE_DAYS = 7


@dataclass(frozen=True)
class DueReassessment:
    """A re-assessment point of the patient's latest care plan that has come and has no
    follow-up questionnaire since. ``point`` is ``"visit"`` (after visit ``number``) or
    ``"week"`` (``number`` weeks after the plan's start). Scheduling facts only."""

    patient: Patient
    due_on: Any
    point: str
    number: int
    overdue: bool
    link_sent: bool


def reassessment_due_dates(plan: CarePlan, visit_dates: list[Any]) -> list[tuple[Any, str, int]]:
    """(due date, point, number) of each point already reached: week N on start + N weeks;
    after visit N on the day of the plan's Nth visit (not reached while fewer were made)."""
    points = []
    for weeks in plan.reassess_weeks or []:
        points.append((plan.start_date + timedelta(weeks=int(weeks)), "week", int(weeks)))
    ordered = sorted(visit_dates)
    for number in plan.reassess_after_visits or []:
        if 0 < int(number) <= len(ordered):
            points.append((ordered[int(number) - 1], "visit", int(number)))
    return sorted(points)


def due_reassessments(who: Actor | HttpRequest, day: Any) -> list[DueReassessment]:
    """Re-assessments due or overdue on ``day`` for the clinic's patients (module-level
    queries: plans, visits, follow-ups and links, each once; no query per patient).

    A point is done when a follow-up questionnaire was submitted on or after its due date; only
    the latest point that is not done is listed per patient (one call, one link)."""
    from atlaschart.intake.access import followups_of_clinic, intake_links_of_clinic

    plans: dict[int, CarePlan] = {}
    for plan in care_plans_of_clinic(who).select_related("patient").order_by("start_date", "id"):
        plans[plan.patient_id] = plan
    plans = {pid: p for pid, p in plans.items() if p.reassess_weeks or p.reassess_after_visits}
    if not plans:
        return []
    dates: dict[int, list[Any]] = {}
    for patient_id, visit_date in (
        visits_of_clinic(who)
        .filter(patient_id__in=list(plans))
        .values_list("patient_id", "visit_date")
    ):
        dates.setdefault(patient_id, []).append(visit_date)
    answered: dict[int, Any] = {}
    for patient_id, at in (
        followups_of_clinic(who)
        .filter(patient_id__in=list(plans))
        .values_list("patient_id", "submitted_at")
    ):
        on = timezone.localdate(at)
        answered[patient_id] = max(answered.get(patient_id, on), on)
    sent: dict[int, Any] = {}
    for patient_id, at in (
        intake_links_of_clinic(who)
        .filter(patient_id__in=list(plans), kind="followup", revoked_at__isnull=True)
        .values_list("patient_id", "created_at")
    ):
        on = timezone.localdate(at)
        sent[patient_id] = max(sent.get(patient_id, on), on)
    due = []
    for patient_id, plan in plans.items():
        visit_dates = [d for d in dates.get(patient_id, []) if d >= plan.start_date]
        reached = [p for p in reassessment_due_dates(plan, visit_dates) if p[0] <= day]
        if not reached:
            continue
        due_on, point, number = reached[-1]
        last_answer = answered.get(patient_id)
        if last_answer is not None and last_answer >= due_on:
            continue
        last_link = sent.get(patient_id)
        due.append(
            DueReassessment(
                patient=plan.patient,
                due_on=due_on,
                point=point,
                number=number,
                overdue=(day - due_on).days > REASSESSMENT_GRACE_DAYS,
                link_sent=last_link is not None and last_link >= due_on,
            )
        )
    return sorted(due, key=lambda d: (d.due_on, d.patient.name))
