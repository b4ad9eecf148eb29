"""The report's views: the PDF download and the photo consent. Thin: authorise, call a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, allows, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.patients.models import Patient
from atlaschart.reports.access import photo_consent_in_force
from atlaschart.reports.services import (
    REPORT_NEEDS,
    ReportError,
    make_patient_report,
    record_photo_consent,
)


def report_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {
        "can_export": all(allows(request.user, k, p) for k, p in REPORT_NEEDS),
        "photo_consent": photo_consent_in_force(request, patient),
        "can_record_consent": allows(request.user, Kind.POSTURE, Permission.WRITE),
    }


@require_GET
@permission_required(Kind.POSTURE, Permission.EXPORT)
def patient_report(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    # Every role with posture export also reads questionnaires and care plans (the policy);
    # the chart section asks all of REPORT_NEEDS before showing the button.
    language = request.GET.get("lang") or None
    try:
        pdf = make_patient_report(Actor.of(request), patient_id, language)
    except ReportError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{patient_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required(Kind.POSTURE, Permission.WRITE)
def photo_consent(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="photo consent")
    given = request.POST.get("given") == "yes"
    record_photo_consent(Actor.of(request), patient, given)
    messages.success(
        request,
        _("Recorded: photos may be shown in reports.")
        if given
        else _("Recorded: photos are not shown in reports."),
    )
    return redirect("patients:chart", patient.pk)
