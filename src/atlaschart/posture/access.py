"""The doors to posture records, built on the shared ``atlaschart.lib.access.Door``.

Sessions and photos are scoped to the acting user's clinic through the patient and logged; a
session or photo of another clinic is a 404, exactly like one that does not exist. Landmark
revisions are reached only through their photo (``shot.revisions``), never by an id of their own.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor
from atlaschart.posture.models import PostureSession, PostureShot

Who = Actor | HttpRequest

session_door = Door(
    PostureSession,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient", "patient__clinic", "clinician"),
    label="posture session",
)
shot_door = Door(
    PostureShot,
    clinic_field="session__patient__clinic_id",
    patient_attr="session.patient",
    related=("session", "session__patient", "session__patient__clinic"),
    label="posture photo",
)


def sessions_of_clinic(who: Who) -> QuerySet[PostureSession]:
    """Posture sessions of the acting user's clinic (not logged: callers log what they show)."""
    return session_door.of_clinic(who)


def get_session_for_user(
    who: Who, session_id: int, action: Action = Action.VIEW, detail: str = ""
) -> PostureSession:
    return session_door.get(who, session_id, action, detail)


def shots_of_clinic(who: Who) -> QuerySet[PostureShot]:
    return shot_door.of_clinic(who)


def get_shot_for_user(
    who: Who,
    shot_id: int,
    action: Action = Action.VIEW,
    detail: str = "",
    *,
    once_per_session: bool = False,
) -> PostureShot:
    return shot_door.get(who, shot_id, action, detail, once_per_session=once_per_session)
