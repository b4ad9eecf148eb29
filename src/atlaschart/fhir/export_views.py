"""The chart's "whole record as FHIR" button: a reason, a background job, the archive.

Clinicians and clinic admins only (``Kind.WHOLE_RECORD`` export in lib/policy.py), and the
session must have proved its password recently (``REAUTH_VIEWS``). The form submits a job
(fhir/jobs.py) with the reason; its progress page hands out the archive when ready, through
:func:`made`, which is the access-log ``export`` row with the reason ("logged as a download").
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from atlaschart.audit.models import Action
from atlaschart.fhir.export import export_detail
from atlaschart.fhir.jobs import EXPORT_KIND, archive_name
from atlaschart.jobs.access import get_job_for_user
from atlaschart.jobs.models import JobState
from atlaschart.jobs.services import input_sha256, submit
from atlaschart.lib import media
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, allows, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.patients.models import Patient

_REQUEST_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_request_key() -> str:
    """A key issued with each form page: the same page submitted twice (a double click, a
    resubmit after a slow network) is one job, and a new visit to the form is a new export."""
    return secrets.token_urlsafe(18)


class ExportReasonForm(forms.Form):
    request_key = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for the export"),
        min_length=5,
        max_length=200,
        help_text=_(
            "For example: the patient asked for a copy of their record; moving to another clinic."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not _REQUEST_KEY.fullmatch(str(cleaned.get("request_key") or "")):
            # A page from before the key existed, or one edited by hand: ask again, keeping
            # the reason typed; the re-rendered page carries a fresh key. A form-wide message,
            # since the key's own field is hidden.
            raise forms.ValidationError(
                _("This form has expired. Check the reason and submit it again."),
                code="request_key",
            )
        return cleaned


def export_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {"can_export_record": allows(request.user, Kind.WHOLE_RECORD, Permission.EXPORT)}


@require_http_methods(["GET", "POST"])
@permission_required(Kind.WHOLE_RECORD, Permission.EXPORT)
def download(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """GET: the reason form. POST: submit the export job and show its progress."""
    # The form names the patient: a view of their record, logged as such; another clinic's
    # patient is a 404 before anything is submitted.
    patient = get_patient_for_user(request, patient_id, detail="FHIR export form")
    if request.method == "POST":
        form = ExportReasonForm(request.POST)
        if form.is_valid():
            reason = " ".join(form.cleaned_data["reason"].split())
            key = form.cleaned_data["request_key"]
            job = submit(
                Actor.of(request),
                EXPORT_KIND,
                patient=patient,
                input_sha256=input_sha256(patient.pk, request.user.pk, reason, key),
                payload={"patient_id": patient.pk, "reason": reason},
            )
            return redirect("jobs:progress", job_id=job.pk)
        status = 400
        # A fresh key for the page shown again; the reason typed stays.
        data = request.POST.copy()
        data["request_key"] = new_request_key()
        form.data = data
    else:
        form = ExportReasonForm(initial={"request_key": new_request_key()})
        status = 200
    return render(request, "fhir/export.html", {"form": form, "patient": patient}, status=status)


@require_GET
@permission_required(Kind.WHOLE_RECORD, Permission.EXPORT)
def made(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponseBase:
    """The finished archive, only through the job's door (its clinic, a role allowed the
    export), logged as an export of the patient's record with the reason given."""
    job = get_job_for_user(request, job_id, log=False)
    if job.kind != EXPORT_KIND or job.state != JobState.DONE:
        raise Http404("no record to download")
    name = archive_name(job)
    if not media.exists(name):
        raise Http404("archive removed")
    get_job_for_user(
        request, job_id, action=Action.EXPORT, detail=export_detail(job.payload.get("reason", ""))
    )
    response = media.serve(
        name,
        content_type="application/zip",
        download_name=f"fhir-record-{job.payload.get('patient_id', '')}.zip",
    )
    response["Cache-Control"] = "no-store"
    return response
