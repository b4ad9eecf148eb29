"""The report's views: asking for the PDF (a background job makes it), its download, and the
photo consent. Thin: authorise, call a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atlaschart.audit.models import Action
from atlaschart.jobs.access import get_job_for_user
from atlaschart.jobs.models import JobState
from atlaschart.lib import media
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, allows, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.patients.models import Patient
from atlaschart.reports.access import photo_consent_in_force
from atlaschart.reports.jobs import report_file_name
from atlaschart.reports.services import (
    REPORT_KIND,
    REPORT_NEEDS,
    ReportError,
    record_photo_consent,
    request_patient_report,
)

#: The access-log detail of a report handed out.
DOWNLOAD_DETAIL = "report download"


def report_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {
        "can_export": all(allows(request.user, k, p) for k, p in REPORT_NEEDS),
        "photo_consent": photo_consent_in_force(request, patient),
        "can_record_consent": allows(request.user, Kind.POSTURE, Permission.WRITE),
    }


@require_POST
@permission_required(Kind.POSTURE, Permission.EXPORT)
def patient_report(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Ask for the patient's report: a background job makes it; its page shows how far it is
    and then hands out the file. The same report asked for again (nothing changed in the record
    today) gets the same job and file."""
    # Every role with posture export also reads questionnaires and care plans (the policy);
    # the chart section asks all of REPORT_NEEDS before showing the button.
    language = request.POST.get("lang") or None
    try:
        job = request_patient_report(Actor.of(request), patient_id, language)
    except ReportError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    return redirect("jobs:progress", job_id=job.pk)


@require_GET
@permission_required(Kind.POSTURE, Permission.EXPORT)
def report_download(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponseBase:
    """The finished report's PDF, only through the job's door (its clinic, a role allowed the
    report), logged as an export of the patient's record."""
    job = get_job_for_user(request, job_id, action=Action.EXPORT, detail=DOWNLOAD_DETAIL)
    if job.kind != REPORT_KIND or job.state != JobState.DONE:
        raise Http404("no report to download")
    name = report_file_name(job)
    if not media.exists(name):
        raise Http404("report file missing")
    return media.serve(
        name,
        content_type="application/pdf",
        download_name=f"report-{job.payload.get('patient_id', '')}.pdf",
    )


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
