"""The one door to safety screens: scoped to the user's clinic (404 otherwise) and logged.

Acknowledgements are reached only through their screen (``screen.acks``), so the screen's door
guards them too.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient
from atlaschart.safety.models import ScreenRecord

screen_door = Door(
    ScreenRecord,
    clinic_field="clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="safety screen",
)


def screens_of_clinic(who: Actor | HttpRequest) -> QuerySet[ScreenRecord]:
    """Safety screens of the acting user's clinic (not logged: callers log what they show)."""
    return screen_door.of_clinic(who)


def screens_of_patient(patient: Patient) -> QuerySet[ScreenRecord]:
    """The screens of a patient who was reached through the patient door (so already scoped to
    the user's clinic); for the signing gate, which is asked about a patient, not by a user."""
    return ScreenRecord.objects.filter(clinic_id=patient.clinic_id, patient=patient)


def get_screen_for_user(
    who: Actor | HttpRequest,
    screen_id: int,
    action: Action = Action.VIEW,
    detail: str = "safety screen",
    *,
    log: bool = True,
) -> ScreenRecord:
    """The screen ``screen_id`` of the user's clinic, logged as ``action``; else 404.
    ``log=False`` for a service that writes its own row for the same action."""
    return screen_door.get(who, screen_id, action, detail, log=log)
