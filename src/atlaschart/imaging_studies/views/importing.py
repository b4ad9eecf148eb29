"""The import page and the chunked (resumable) upload endpoints that feed it, and the
confirmation page for files that name another patient."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from atlaschart.audit.models import Action
from atlaschart.imaging_studies import jobs as imaging_jobs
from atlaschart.imaging_studies import upload, uploads
from atlaschart.imaging_studies.forms import ImportForm
from atlaschart.imaging_studies.views._common import IMAGING_WRITE
from atlaschart.jobs.models import Job
from atlaschart.jobs.services import submit
from atlaschart.jobs.views import progress_url
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.jsonbody import BadJSON, parse_json
from atlaschart.patients.access import get_patient_for_user, patient_door
from atlaschart.patients.models import Patient


def _import_page_url(patient_id: int) -> str:
    return reverse("imaging_studies:import", args=[patient_id])


def _submit_import(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    upload_set: uploads.UploadSet,
    *,
    confirmed: bool,
) -> Job:
    """Start (or find) the import job of a complete upload set, published first into the media
    storage so a worker on any node reads it."""
    upload_set = uploads.publish(upload_set)
    job = submit(
        Actor.of(request),
        imaging_jobs.IMPORT_KIND,
        patient=patient,
        input_sha256=imaging_jobs.import_input_sha256(upload_set, confirmed=confirmed),
        payload={
            "upload": upload_set.key,
            "confirmed": confirmed,
            "back_url": _import_page_url(patient.pk),
        },
    )
    return job


@IMAGING_WRITE
def import_study(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """The import page. With JavaScript (static/imaging_studies/upload.js) the files go up in
    resumable chunks and this form is never posted; without it the plain form posts the files
    (Django spools them to disk), which are copied into an upload set and imported by a job."""
    patient = get_patient_for_user(request, patient_id, detail="imaging import")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        try:
            upload_set = uploads.store_files(
                ((f.name, f.chunks()) for f in files),
                user_id=request.user.pk,
                patient_id=patient.pk,
            )
        except uploads.UploadSetError:
            form.add_error("files", upload.refusal_text("too-large", files[0].name))
        else:
            return redirect(
                progress_url(_submit_import(request, patient, upload_set, confirmed=False))
            )
    return render(
        request,
        "imaging_studies/import.html",
        {
            "patient": patient,
            "form": form,
            "open_url": reverse("imaging_studies:upload_open", args=[patient.pk]),
            "max_upload_bytes": upload.max_upload_bytes(),
        },
        status=400 if form.errors else 200,
    )


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": message, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _set_urls(patient_id: int, upload_set: uploads.UploadSet) -> dict[str, Any]:
    return {
        "upload": upload_set.key,
        "chunk_bytes": uploads.CHUNK_BYTES,
        "files": [
            {
                "name": f.name,
                "size": f.size,
                "offset": f.stored,
                "url": reverse(
                    "imaging_studies:upload_file", args=[patient_id, upload_set.key, f.index]
                ),
            }
            for f in upload_set.files
        ],
        "finish_url": reverse("imaging_studies:upload_finish", args=[patient_id, upload_set.key]),
    }


@require_POST
@IMAGING_WRITE
def upload_open(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Open a chunked upload set: body ``{"files": [{"name", "size"}]}`` (uploads.py)."""
    patient = get_patient_for_user(request, patient_id, detail="imaging upload")
    not_understood = _("The request was not understood.")
    try:
        body = parse_json(request.body)
    except BadJSON as exc:
        return _json_error(str(exc), 400)
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, list) or not all(
        isinstance(f, dict)
        and isinstance(f.get("size"), int)
        and not isinstance(f.get("size"), bool)
        and isinstance(f.get("name"), str)
        for f in files
    ):
        return _json_error(not_understood, 400)
    try:
        upload_set = uploads.open_set(
            ((f["name"], f["size"]) for f in files),
            user_id=request.user.pk,
            patient_id=patient.pk,
        )
    except uploads.UploadSetError as exc:
        if exc.code == "too-large":
            return _json_error(upload.refusal_text("too-large", files[0]["name"]), 413)
        return _json_error(not_understood, 400)
    return JsonResponse(_set_urls(patient.pk, upload_set), status=201)


def _offset_response(item: uploads.UploadFile, status: int = 200) -> HttpResponse:
    stored = item.stored
    response = (
        HttpResponse(status=status)
        if status == 204
        else JsonResponse({"offset": stored, "length": item.size}, status=status)
    )
    response["Upload-Offset"] = str(stored)
    response["Upload-Length"] = str(item.size)
    response["Cache-Control"] = "no-store"
    return response


def _header_int(request: AuthenticatedHttpRequest, name: str) -> int | None:
    raw = request.headers.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 else None


@csrf_protect
@IMAGING_WRITE
def upload_file(
    request: AuthenticatedHttpRequest, patient_id: int, key: str, index: int
) -> HttpResponse:
    """One file of a set: GET/HEAD answer the stored offset, PATCH appends a chunk at
    ``Upload-Offset`` (409 with the stored offset when it is not where the file ends). Logged
    once per session: a 1 GB study is 128 chunks of the same upload."""
    patient = patient_door.get(
        request, patient_id, Action.VIEW, "imaging upload", once_per_session=True
    )
    upload_set = uploads.load_set(key, patient_id=patient.pk)
    if upload_set is None or not 0 <= index < len(upload_set.files):
        raise Http404
    item = upload_set.files[index]
    if request.method in ("GET", "HEAD"):
        return _offset_response(item)
    if request.method != "PATCH":
        return HttpResponseNotAllowed(["GET", "HEAD", "PATCH"])
    offset = _header_int(request, "Upload-Offset")
    length = _header_int(request, "Content-Length")
    if offset is None or length is None:
        return _json_error(_("The request was not understood."), 400)
    try:
        uploads.append(item, offset, length, request)
    except uploads.UploadSetError as exc:
        if exc.code == "chunk-too-large":
            return _json_error(_("The request was not understood."), 413)
        if exc.code == "past-end":
            return _json_error(_("The request was not understood."), 400)
        response = _offset_response(item, status=409)
        return response
    return _offset_response(item, status=204)


@require_POST
@IMAGING_WRITE
def upload_finish(request: AuthenticatedHttpRequest, patient_id: int, key: str) -> HttpResponse:
    """Every file of the set is stored: start the import job and answer its progress page."""
    patient = get_patient_for_user(request, patient_id, detail="imaging upload")
    upload_set = uploads.load_set(key, patient_id=patient.pk)
    if upload_set is None:
        raise Http404
    if not upload_set.complete:
        return _json_error(_("Not every file has arrived yet; the upload goes on."), 409)
    job = _submit_import(request, patient, upload_set, confirmed=False)
    return JsonResponse({"job_url": progress_url(job)})


@IMAGING_WRITE
def confirm_upload(request: AuthenticatedHttpRequest, patient_id: int, key: str) -> HttpResponse:
    """The files name another patient: show the differences; confirm (import them for this chart)
    or discard. The set stays staged until then (and ages out after an hour)."""
    patient = get_patient_for_user(request, patient_id, detail="imaging import confirmation")
    upload_set = uploads.load_set(key, patient_id=patient.pk)
    differences = uploads.differences(upload_set) if upload_set is not None else None
    if upload_set is None or differences is None:
        messages.error(
            request, _("This upload has expired or was already imported. Please upload again.")
        )
        return redirect("imaging_studies:import", patient_id=patient.pk)
    if request.method == "POST":
        if request.POST.get("cancel"):
            uploads.discard(upload_set)
            messages.info(request, _("The upload was discarded. Nothing was imported."))
            return redirect("patients:chart", patient_id=patient.pk)
        return redirect(progress_url(_submit_import(request, patient, upload_set, confirmed=True)))
    return render(
        request,
        "imaging_studies/confirm.html",
        {"patient": patient, "differences": differences, "upload_key": upload_set.key},
    )
