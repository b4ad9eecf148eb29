"""The one door to safety screens: scoped to the user's clinic, logged."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.patients.access import patients_of_clinic
from atlaschart.safety.models import ScreenRecord


def get_screen_for_user(
    request: HttpRequest, screen_id: int, action: Action = Action.VIEW
) -> ScreenRecord:
    record = (
        ScreenRecord.objects.select_related("patient")
        .filter(pk=screen_id, patient__in=patients_of_clinic(request))
        .first()
    )
    if record is None:
        raise Http404("No such screen")
    log_access(request, action, patient=record.patient, obj=record, detail="safety screen")
    return record
