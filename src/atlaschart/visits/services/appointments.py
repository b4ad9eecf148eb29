"""Appointments: booking (one, or a care plan's series), warnings for unusual slots, status
changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.accounts.models import User
from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient
from atlaschart.visits import calendar_rules
from atlaschart.visits.access import (
    appointment_door,
    appointments_of_clinic,
)
from atlaschart.visits.models import (
    ACTIVE_STATUSES,
    FIRST_YEAR,
    LAST_YEAR,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CarePlan,
    ClinicProfile,
)
from atlaschart.visits.services.common import NeedsConfirmation, VisitError, locked_row

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


def appointment_end(starts_at: datetime, minutes: int) -> datetime:
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
    overlapping = appointments_of_clinic(actor).filter(
        clinician=clinician,
        status__in=ACTIVE_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude_id is not None:
        overlapping = overlapping.exclude(pk=exclude_id)
    clash = overlapping.select_related("patient").first()
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


def book_slot(
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
    ends_at = appointment_end(starts_at, minutes)
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
    return book_slot(
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
        book_slot(
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
    stored = locked_row(appointment_door, actor, appointment.pk)
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
