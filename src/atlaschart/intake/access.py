"""The one door to intake records: scoped to the user's clinic, logged."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.intake.models import FollowUp, Intake
from atlaschart.patients.access import patients_of_clinic


def get_intake_for_user(request: HttpRequest, intake_id: int) -> Intake:
    """A submitted intake of a patient of the user's clinic, logged as viewed; else Http404."""
    intake = (
        Intake.objects.select_related("patient")
        .filter(pk=intake_id, patient__in=patients_of_clinic(request))
        .first()
    )
    if intake is None:
        raise Http404("No such intake")
    log_access(request, Action.VIEW, patient=intake.patient, obj=intake, detail="intake")
    return intake


def get_followup_for_user(request: HttpRequest, followup_id: int) -> FollowUp:
    """A submitted follow-up of a patient of the user's clinic, logged as viewed; else Http404."""
    followup = (
        FollowUp.objects.select_related("patient")
        .filter(pk=followup_id, patient__in=patients_of_clinic(request))
        .first()
    )
    if followup is None:
        raise Http404("No such follow-up")
    log_access(request, Action.VIEW, patient=followup.patient, obj=followup, detail="follow-up")
    return followup
