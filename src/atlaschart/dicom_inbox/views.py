"""The imaging inbox: studies the receiver could not file, and the step that files them.

Who may import images (the policy's imaging write: clinicians, the clinic admin) sees the inbox.
Picking a chart shows the same confirmation as a web upload whose names differ; confirming
starts the import as a background job and shows its progress; discarding removes the files.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.audit.services import log_records_listed
from atlaschart.dicom_inbox import importer, services
from atlaschart.dicom_inbox.access import get_inbox_item_for_user, inbox_of_clinic
from atlaschart.dicom_inbox.models import InboxItem, InboxState
from atlaschart.jobs.views import progress_url
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.patients.access import get_patient_for_user, search_patients
from atlaschart.patients.models import Patient

IMAGING_WRITE = permission_required(Kind.IMAGING, Permission.WRITE)
RECENT = 20


def _differences(item: InboxItem, patient: Patient) -> list[dict[str, object]]:
    ident = importer.StudyIdentity(
        item.study_instance_uid, item.patient_id_received, item.patient_name_received
    )
    found = importer.identity_differences([ident], patient)
    if found:
        return found
    # The files match the picked chart (or name nobody): the table still shows what they say.
    return [
        {
            "study_uid": item.study_instance_uid,
            "name": item.patient_name_received,
            "id": item.patient_id_received,
            "name_differs": False,
            "id_differs": False,
        }
    ]


@IMAGING_WRITE
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = inbox_of_clinic(request)
    held = list(items.filter(state=InboxState.HELD))
    resolved = list(
        items.exclude(state=InboxState.HELD).select_related("patient", "resolved_by")[:RECENT]
    )
    log_records_listed(request, [*held, *resolved], detail="imaging inbox")
    return render(request, "dicom_inbox/inbox.html", {"held": held, "resolved": resolved})


@IMAGING_WRITE
def item(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    entry = get_inbox_item_for_user(request, item_id, detail="imaging inbox item")
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, object] = {"item": entry, "query": query}
    if entry.state == InboxState.IMPORTING:
        job = services.import_job(entry)
        context["job_url"] = progress_url(job) if job is not None else ""
    if entry.state == InboxState.HELD:
        picked = request.GET.get("patient", "")
        if picked.isdigit():
            patient = get_patient_for_user(
                request, int(picked), detail="imaging import confirmation"
            )
            context["patient"] = patient
            context["differences"] = _differences(entry, patient)
        else:
            suggestion = query or entry.patient_id_received
            context["query"] = suggestion
            context["patients"] = search_patients(request, suggestion) if suggestion else []
    return render(request, "dicom_inbox/item.html", context)


def _patient_from_post(request: AuthenticatedHttpRequest) -> Patient | None:
    raw = request.POST.get("patient", "")
    if not raw.isdigit():
        return None
    return get_patient_for_user(request, int(raw), detail="imaging import confirmation")


@require_POST
@IMAGING_WRITE
def confirm(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    entry = get_inbox_item_for_user(request, item_id, detail="imaging import confirmation")
    back = redirect("dicom_inbox:item", item_id=entry.pk)
    patient = _patient_from_post(request)
    if patient is None:
        messages.error(request, _("Choose the patient these images belong to."))
        return back
    try:
        job = services.confirm(Actor.of(request), entry, patient)
    except services.ItemNotHeld:
        messages.error(request, _("This study was already imported or discarded."))
        return redirect("dicom_inbox:inbox")
    return redirect(progress_url(job))


@require_POST
@IMAGING_WRITE
def discard(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    entry = get_inbox_item_for_user(request, item_id, detail="imaging inbox discard")
    if request.POST.get("discard") != "1":
        messages.error(request, _("Nothing was discarded."))
        return redirect("dicom_inbox:item", item_id=entry.pk)
    try:
        services.discard(Actor.of(request), entry)
    except services.ItemNotHeld:
        messages.error(request, _("This study was already imported or discarded."))
    else:
        messages.info(request, _("The study was discarded. Nothing was imported."))
    return redirect("dicom_inbox:inbox")
