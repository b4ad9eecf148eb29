"""Care records (appointments, visits, treatments, care plans, consents, consultation requests,
adverse events, safety screens) made through the visits and safety services, as a member of
staff would make them: each one checked and written to the access log by the product itself.

Every factory takes the acting member of staff first (``by``); the services refuse a record of
another clinic, a note before its day, a clinician who is already booked, as they do for the
web pages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from atlaschart.lib.actor import Actor

if TYPE_CHECKING:
    from atlaschart.accounts.models import User
    from atlaschart.patients.models import Patient
    from atlaschart.safety.models import ScreenRecord
    from atlaschart.visits.models import (
        AdverseEvent,
        Amendment,
        Appointment,
        CarePlan,
        ConsentRecord,
        ConsultationRequest,
        Treatment,
        Visit,
    )


def actor(user: User | None) -> Actor:
    """The acting user of a factory (no client address: the test is not a web request)."""
    return Actor.system(user, via="test")


def at(hour: int, minute: int = 0, days: int = 1) -> datetime:
    """``hour:minute`` local time, ``days`` from today (tomorrow unless told)."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


# --- appointments and visits ---------------------------------------------------------------


def booked_appointment(
    by: User,
    patient: Patient,
    starts_at: datetime,
    *,
    clinician: User | None = None,
    minutes: int = 30,
    **options: Any,
) -> Appointment:
    """An appointment booked by ``by`` with ``clinician`` (``by`` unless told); ``options`` are
    ``book_appointment``'s (``note``, ``kind``, ``confirmed``)."""
    from atlaschart.visits.services.appointments import book_appointment

    return book_appointment(actor(by), patient, clinician or by, starts_at, minutes, **options)


def appointment_status(by: User, appointment: Appointment, status: str) -> Appointment:
    """``appointment`` moved to ``status`` by ``by`` (arrived, cancelled, no-show, done), as the
    schedule's buttons do."""
    from atlaschart.visits.services.appointments import set_status

    set_status(actor(by), appointment, status)
    appointment.refresh_from_db()
    return appointment


def opened_visit(by: User, appointment: Appointment) -> Visit:
    """The appointment's visit note, opened by ``by`` (the appointment becomes "arrived")."""
    from atlaschart.visits.services.notes import open_visit

    return open_visit(actor(by), appointment)


def visit(
    by: User, patient: Patient, starts_at: datetime | None = None, *, minutes: int = 30
) -> Visit:
    """A visit of ``patient`` with ``by`` as clinician: booked at ``starts_at`` (today 9:00
    unless told) and opened. A visit is never opened before its day."""
    appointment = booked_appointment(
        by, patient, starts_at or at(9, days=0), clinician=by, minutes=minutes
    )
    return opened_visit(by, appointment)


def signed_visit(by: User, visit: Visit, **text: str) -> Visit:
    """``visit`` with its note saved as ``text`` (SOAP fields) and signed by ``by``."""
    from atlaschart.visits.models import SOAP_FIELDS
    from atlaschart.visits.services.notes import sign_note, update_note

    if text:
        note = {f: text.get(f, getattr(visit, f)) for f in SOAP_FIELDS}
        visit = update_note(actor(by), visit, note, visit.version)
    sign_note(actor(by), visit)
    visit.refresh_from_db()
    return visit


def amendment(by: User, visit: Visit, reason: str, **text: str) -> Amendment:
    """An amendment of the signed ``visit`` by ``by``, changing the SOAP fields in ``text``."""
    from atlaschart.visits.models import SOAP_FIELDS
    from atlaschart.visits.services.notes import amend_note, current_text, note_version

    note = {**current_text(visit), **{f: text[f] for f in SOAP_FIELDS if f in text}}
    return amend_note(actor(by), visit, note, reason, note_version(visit))


# --- treatments ----------------------------------------------------------------------------


def treatment(by: User, visit: Visit, **data: Any) -> Treatment:
    """A draft treatment record on ``visit`` (``data``: the form's fields, e.g. ``kind``,
    ``technique``, ``listing``)."""
    from atlaschart.visits.services.treatments import add_treatment

    return add_treatment(actor(by), visit, {"kind": "uc_adjustment", **data})


def signed_treatment(by: User, visit: Visit, **data: Any) -> Treatment:
    """A treatment added and signed by ``by``: the safety gate must allow it (record a screen
    first)."""
    from atlaschart.visits.services.treatments import sign_treatment

    record = treatment(by, visit, **data)
    sign_treatment(actor(by), record)
    record.refresh_from_db()
    return record


# --- care plans, consents, requests, adverse events ----------------------------------------


def care_plan(
    by: User, patient: Patient, *, goals: tuple[str, ...] | list[str] = (), **data: Any
) -> CarePlan:
    """A care plan written by ``by`` (``data``: the plan's fields, ``start_date`` today unless
    told) with one goal per description in ``goals``."""
    from atlaschart.visits.services.care import create_care_plan

    data.setdefault("start_date", timezone.localdate())
    return create_care_plan(
        actor(by), patient, data, [{"description": description} for description in goals]
    )


def consent(
    by: User,
    patient: Patient,
    kind: str = "manual_therapy",
    given_on: date | None = None,
    **data: Any,
) -> ConsentRecord:
    """A consent recorded by ``by`` (given today unless told)."""
    from atlaschart.visits.services.care import record_consent

    return record_consent(
        actor(by),
        patient,
        {"kind": kind, "given_on": given_on or timezone.localdate(), **data},
    )


def consultation_request(clinic: Any, **data: str) -> ConsultationRequest:
    """A request sent from the clinic's public page (``data``: name, contact, complaint, ...)."""
    from atlaschart.visits.services.requests import submit_consultation_request

    fields = {"name": "이지은", "contact": "010-5555-1234", "complaint": "neck pain", **data}
    return submit_consultation_request(clinic.pk, fields)


def adverse_event(by: User, visit: Visit, description: str, **complaint: Any) -> AdverseEvent:
    """The follow-up answered on ``visit`` with a new complaint (``complaint``: is_new,
    severity_0_10, onset_h, serious_criteria, ...); the core classifies it."""
    from atlaschart.visits.services.adverse_events import record_followup

    fields = {"is_new": True, "severity_0_10": 5, "onset_h": 2, **complaint}
    event = record_followup(actor(by), visit, {"description": description, **fields})
    assert event is not None
    return event


# --- safety screens ------------------------------------------------------------------------


def clean_answers() -> dict[str, Any]:
    """Every main screening item answered "no" (risk factors: none): level none-found."""
    from atlaschart.measure.safety import SCREENING_QUESTIONS

    return {q.id: False for q in SCREENING_QUESTIONS if not q.asked_when}


def screen_record(by: User, patient: Patient, **overrides: Any) -> ScreenRecord:
    """A clinician's safety screen of ``patient``: every item "no" but ``overrides``."""
    from atlaschart.safety.services import record_screen

    return record_screen(actor(by), patient, {**clean_answers(), **overrides}, "clinician")
