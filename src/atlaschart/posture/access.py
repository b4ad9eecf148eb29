"""The one door to posture records: scoped to the user's clinic through the patient, logged.

A session or photo of another clinic is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.patients.access import patients_of_clinic
from atlaschart.posture.models import PostureSession, PostureShot


def sessions_of_clinic(request: HttpRequest) -> QuerySet[PostureSession]:
    """Posture sessions of the user's clinic's patients (not logged)."""
    return PostureSession.objects.filter(patient__in=patients_of_clinic(request))


def shots_of_clinic(request: HttpRequest) -> QuerySet[PostureShot]:
    return PostureShot.objects.filter(session__patient__in=patients_of_clinic(request))


def get_session_for_user(
    request: HttpRequest, session_id: int, action: Action = Action.VIEW, detail: str = ""
) -> PostureSession:
    session = (
        sessions_of_clinic(request)
        .select_related("patient", "patient__clinic", "clinician")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such posture session")
    log_access(request, action, patient=session.patient, obj=session, detail=detail)
    return session


def get_shot_for_user(
    request: HttpRequest, shot_id: int, action: Action = Action.VIEW, detail: str = ""
) -> PostureShot:
    shot = (
        shots_of_clinic(request)
        .select_related("session", "session__patient", "session__patient__clinic")
        .filter(pk=shot_id)
        .first()
    )
    if shot is None:
        raise Http404("No such posture photo")
    log_access(request, action, patient=shot.session.patient, obj=shot, detail=detail)
    return shot
