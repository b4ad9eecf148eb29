"""The chart's "whole record as FHIR" button: a reason, then the archive (fhir/export.py).

Clinicians and clinic admins only (``Kind.WHOLE_RECORD`` export in lib/policy.py); the reason is
written to the access log with the export, and the session must have proved its password
recently (``REAUTH_VIEWS``). The archive is built in a temporary file and streamed: a demo
patient's takes about a second; the ``jobs`` app had not landed when this was written, so it is
not a background job yet (docs/fhir.md).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from atlaschart.fhir.export import export_patient
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, allows, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.patients.models import Patient

#: Archives above this size spill from memory to a temporary file on disk.
IN_MEMORY_BYTES = 32 * 1024 * 1024


class ExportReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the export"),
        min_length=5,
        max_length=200,
        help_text=_(
            "For example: the patient asked for a copy of their record; moving to another clinic."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def export_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {"can_export_record": allows(request.user, Kind.WHOLE_RECORD, Permission.EXPORT)}


@require_http_methods(["GET", "POST"])
@permission_required(Kind.WHOLE_RECORD, Permission.EXPORT)
def download(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """GET: the reason form. POST: log the export with the reason and send the archive."""
    if request.method == "POST":
        form = ExportReasonForm(request.POST)
        if form.is_valid():
            actor = Actor.of(request)
            # Not a with-block: FileResponse closes the file once it has been sent.
            archive = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
            try:
                export_patient(actor, patient_id, form.cleaned_data["reason"], archive)
            except BaseException:
                archive.close()
                raise
            archive.seek(0)
            response = FileResponse(
                archive,
                as_attachment=True,
                filename=f"fhir-record-{patient_id}.zip",
                content_type="application/zip",
            )
            response["Cache-Control"] = "no-store"
            return response
        status = 400
    else:
        form = ExportReasonForm()
        status = 200
    # The form names the patient: a view of their record, logged as such.
    patient = get_patient_for_user(request, patient_id, detail="FHIR export form")
    return render(request, "fhir/export.html", {"form": form, "patient": patient}, status=status)
