"""The one door to visit records, appointments, treatments, adverse events and consultation
requests: scoped to the user's clinic (404 otherwise, like a record that does not exist) and
logged in the access log."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.http import Http404, HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.visits.models import (
    AdverseEvent,
    Appointment,
    CarePlan,
    ConsultationRequest,
    Treatment,
    Visit,
)

M = TypeVar("M", bound=models.Model)


def _clinic_id(request: HttpRequest) -> int | None:
    if not request.user.is_authenticated:
        return None
    return getattr(request.user, "clinic_id", None)


def _get(
    request: HttpRequest,
    queryset: models.QuerySet[M],
    pk: int,
    clinic_path: str,
    action: Action,
    detail: str,
) -> M:
    clinic_id = _clinic_id(request)
    if clinic_id is None:
        raise Http404("No such record")
    obj = queryset.filter(pk=pk, **{clinic_path: clinic_id}).first()
    if obj is None:
        raise Http404("No such record")
    log_access(request, action, patient=getattr(obj, "patient", None), obj=obj, detail=detail)
    return obj


def visits_of_clinic(request: HttpRequest) -> models.QuerySet[Visit]:
    return Visit.objects.filter(patient__clinic_id=_clinic_id(request) or -1)


def appointments_of_clinic(request: HttpRequest) -> models.QuerySet[Appointment]:
    return Appointment.objects.filter(clinic_id=_clinic_id(request) or -1)


def get_visit_for_user(
    request: HttpRequest, visit_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Visit:
    qs = Visit.objects.select_related("patient", "clinician", "signed_by", "appointment")
    return _get(request, qs, visit_id, "patient__clinic_id", action, detail)


def get_appointment_for_user(
    request: HttpRequest, appointment_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Appointment:
    qs = Appointment.objects.select_related("patient", "clinician")
    return _get(request, qs, appointment_id, "clinic_id", action, detail)


def get_treatment_for_user(
    request: HttpRequest, treatment_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Treatment:
    qs = Treatment.objects.select_related("visit", "visit__patient")
    treatment = _get_quiet(request, qs, treatment_id, "visit__patient__clinic_id")
    log_access(request, action, patient=treatment.visit.patient, obj=treatment, detail=detail)
    return treatment


def get_care_plan_for_user(
    request: HttpRequest, plan_id: int, action: Action = Action.VIEW, detail: str = ""
) -> CarePlan:
    return _get(
        request,
        CarePlan.objects.select_related("patient"),
        plan_id,
        "patient__clinic_id",
        action,
        detail,
    )


def get_adverse_event_for_user(
    request: HttpRequest, event_id: int, action: Action = Action.VIEW, detail: str = ""
) -> AdverseEvent:
    qs = AdverseEvent.objects.select_related("patient")
    return _get(request, qs, event_id, "patient__clinic_id", action, detail)


def get_request_for_user(
    request: HttpRequest, request_id: int, action: Action = Action.VIEW, detail: str = ""
) -> ConsultationRequest:
    return _get(request, ConsultationRequest.objects.all(), request_id, "clinic_id", action, detail)


def _get_quiet(request: HttpRequest, queryset: models.QuerySet[M], pk: int, clinic_path: str) -> M:
    clinic_id = _clinic_id(request)
    obj = None if clinic_id is None else queryset.filter(pk=pk, **{clinic_path: clinic_id}).first()
    if obj is None:
        raise Http404("No such record")
    return obj
