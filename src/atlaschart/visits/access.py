"""The doors to visit records, appointments, treatments, care plans, adverse events, consent
records, amendments and consultation requests.

Each kind has one :class:`~atlaschart.lib.access.Door` and the pair ``<kinds>_of_clinic(who)`` /
``get_<kind>_for_user(who, pk, action=..., detail=...)``: scoped to the acting user's clinic (a
record of another clinic is a 404, exactly like one that does not exist) and logged in the access
log. Views and services in this app reach these records only through them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_records_listed
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor
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

Who = Actor | HttpRequest

visit_door = Door(
    Visit,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient", "clinician", "signed_by", "appointment"),
    label="visit",
)
appointment_door = Door(
    Appointment,
    clinic_field="clinic_id",
    patient_attr="patient",
    related=("patient", "clinician"),
    label="appointment",
)
treatment_door = Door(
    Treatment,
    clinic_field="visit__patient__clinic_id",
    patient_attr="visit.patient",
    related=("visit", "visit__patient"),
    label="treatment",
)
care_plan_door = Door(
    CarePlan,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="care plan",
)
adverse_event_door = Door(
    AdverseEvent,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient", "visit"),
    label="adverse event",
)
consent_door = Door(
    ConsentRecord,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="consent record",
)
amendment_door = Door(
    Amendment,
    clinic_field="visit__patient__clinic_id",
    patient_attr="visit.patient",
    related=("visit", "visit__patient", "author"),
    label="amendment",
)
# A request has no patient until it is converted; its patient (if any) is then the log's subject.
consultation_request_door = Door(
    ConsultationRequest,
    clinic_field="clinic_id",
    patient_attr="",
    related=("patient",),
    label="consultation request",
)


# ------------------------------------------------------------------------------------ visits


def visits_of_clinic(who: Who) -> QuerySet[Visit]:
    """Visit notes of the acting user's clinic (not logged: callers log what they show)."""
    return visit_door.of_clinic(who)


def get_visit_for_user(
    who: Who, visit_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Visit:
    return visit_door.get(who, visit_id, action, detail)


# ------------------------------------------------------------------------------ appointments


def appointments_of_clinic(who: Who) -> QuerySet[Appointment]:
    return appointment_door.of_clinic(who)


def get_appointment_for_user(
    who: Who, appointment_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Appointment:
    return appointment_door.get(who, appointment_id, action, detail)


# -------------------------------------------------------------------------------- treatments


def treatments_of_clinic(who: Who) -> QuerySet[Treatment]:
    return treatment_door.of_clinic(who)


def get_treatment_for_user(
    who: Who, treatment_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Treatment:
    return treatment_door.get(who, treatment_id, action, detail)


# -------------------------------------------------------------------------------- care plans


def care_plans_of_clinic(who: Who) -> QuerySet[CarePlan]:
    return care_plan_door.of_clinic(who)


def get_care_plan_for_user(
    who: Who, plan_id: int, action: Action = Action.VIEW, detail: str = ""
) -> CarePlan:
    return care_plan_door.get(who, plan_id, action, detail)


# ---------------------------------------------------------------------------- adverse events


def adverse_events_of_clinic(who: Who) -> QuerySet[AdverseEvent]:
    return adverse_event_door.of_clinic(who)


def get_adverse_event_for_user(
    who: Who, event_id: int, action: Action = Action.VIEW, detail: str = ""
) -> AdverseEvent:
    return adverse_event_door.get(who, event_id, action, detail)


# --------------------------------------------------------------------------- consent records


def consents_of_clinic(who: Who) -> QuerySet[ConsentRecord]:
    return consent_door.of_clinic(who)


def get_consent_for_user(
    who: Who, consent_id: int, action: Action = Action.VIEW, detail: str = ""
) -> ConsentRecord:
    return consent_door.get(who, consent_id, action, detail)


# -------------------------------------------------------------------------------- amendments


def amendments_of_clinic(who: Who) -> QuerySet[Amendment]:
    return amendment_door.of_clinic(who)


def get_amendment_for_user(
    who: Who, amendment_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Amendment:
    return amendment_door.get(who, amendment_id, action, detail)


# --------------------------------------------------------------------- consultation requests


def consultation_requests_of_clinic(who: Who) -> QuerySet[ConsultationRequest]:
    return consultation_request_door.of_clinic(who)


def get_consultation_request_for_user(
    who: Who, request_id: int, action: Action = Action.VIEW, detail: str = ""
) -> ConsultationRequest:
    return consultation_request_door.get(who, request_id, action, detail)


def log_requests_shown(
    who: Who, requests: Iterable[ConsultationRequest], detail: str = "consultation requests"
) -> None:
    """One ``list`` row per request shown: a request holds a name, a phone number and a
    complaint before any patient exists, so ``log_shown`` (one row per patient) would miss it."""
    log_records_listed(who, requests, detail=detail)
