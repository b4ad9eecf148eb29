from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from atlaschart.audit.models import Action
from atlaschart.imaging import dicom
from atlaschart.imaging_studies import jobs as imaging_jobs
from atlaschart.imaging_studies import labels, overlay, rendering, services, upload, uploads
from atlaschart.imaging_studies.access import (
    analyses_of_clinic,
    get_analysis_for_user,
    get_instance_for_user,
    get_listing_table_for_user,
    get_series_for_user,
    get_study_for_user,
    listing_tables_of_clinic,
)
from atlaschart.imaging_studies.forms import (
    AnalysisStartForm,
    ImportForm,
    ListingTableForm,
    PayloadError,
    core_to_flat,
    flat_to_core,
    parse_instance_update,
    vector_text,
)
from atlaschart.imaging_studies.models import (
    Instance,
    ListingTable,
    Projection,
    ScreenSide,
    Study,
    UCAnalysis,
)
from atlaschart.jobs.access import get_job_for_user
from atlaschart.jobs.models import Job, JobState
from atlaschart.jobs.services import submit
from atlaschart.jobs.views import progress_url
from atlaschart.lib import media
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.jsonbody import BadJSON, parse_json
from atlaschart.lib.policy import Kind, Permission, permission_required, require
from atlaschart.measure.radiograph import (
    DEFAULT_ERROR,
    GENERIC_ORTHOGONAL,
    ListingOutcome,
    compare,
)
from atlaschart.measure.radiograph.landmarks import PAIR_LISTS, POINT_LISTS
from atlaschart.measure.radiograph.listing import Condition, Rule
from atlaschart.measure.radiograph.profiles import ViewSpec
from atlaschart.patients.access import get_patient_for_user, patient_door
from atlaschart.patients.models import Patient

PNG = "image/png"
IMAGING_READ = permission_required(Kind.IMAGING, Permission.READ)
IMAGING_WRITE = permission_required(Kind.IMAGING, Permission.WRITE)
IMAGING_EXPORT = permission_required(Kind.IMAGING, Permission.EXPORT)
SETTINGS_READ = permission_required(Kind.CLINIC_SETTINGS, Permission.READ)
SETTINGS_WRITE = permission_required(Kind.CLINIC_SETTINGS, Permission.WRITE)


def _png(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=PNG)
    response["Cache-Control"] = "private, no-store"
    return response


def _json_body(request: AuthenticatedHttpRequest) -> Any:
    """The JSON body; hostile input (deep nesting, huge numbers, NUL, lone surrogates) is a
    ``PayloadError`` with the shared parser's message, in the user's language."""
    try:
        return parse_json(request.body)
    except BadJSON as exc:
        raise PayloadError(str(exc)) from exc


def _float_param(request: AuthenticatedHttpRequest, name: str) -> float | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Http404 from exc
    if value != value or abs(value) > 1e7:
        raise Http404
    return value


# --- import ----------------------------------------------------------------------------------


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
        uploads.append(item, offset, length, request)  # type: ignore[arg-type]
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


# --- study, viewer, pixels -------------------------------------------------------------------


@IMAGING_READ
def study_detail(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    study = get_study_for_user(request, study_id, detail="study")
    series = list(study.series.prefetch_related("instances"))
    return render(
        request,
        "imaging_studies/study.html",
        {"study": study, "patient": study.patient, "series": series},
    )


@IMAGING_READ
def viewer(request: AuthenticatedHttpRequest, instance_id: int) -> HttpResponse:
    inst = get_instance_for_user(request, instance_id, detail="viewer")
    siblings = list(inst.series.study.series.values_list("instances__id", flat=True))
    return render(
        request,
        "imaging_studies/viewer.html",
        {
            "inst": inst,
            "study": inst.series.study,
            "patient": inst.series.study.patient,
            "siblings": [s for s in siblings if s],
            "start_form": AnalysisStartForm(),
            "analyses": labels.decorate(inst.analyses.order_by("-created_at")),
            "config": _image_config(inst),
            "projections": Projection.choices,
            "sides": ScreenSide.choices,
            "profile_title": labels.profile_title(GENERIC_ORTHOGONAL.id, GENERIC_ORTHOGONAL.title),
            "spacing_label": labels.spacing_label(inst.spacing_source),
        },
    )


def _image_config(inst: Instance) -> dict[str, Any]:
    return {
        "image_url": reverse("imaging_studies:image", args=[inst.pk]),
        "update_url": reverse("imaging_studies:instance_update", args=[inst.pk]),
        "rows": inst.rows,
        "cols": inst.columns,
        "frames": inst.frames,
        "row_mm": inst.row_spacing_mm,
        "col_mm": inst.col_spacing_mm,
        "spacing_source": inst.spacing_source,
        "spacing_label": labels.spacing_label(inst.spacing_source),
        "magnification": inst.magnification,
        "landmarks": inst.landmarks,
    }


@require_GET
@IMAGING_READ
def instance_image(request: AuthenticatedHttpRequest, instance_id: int) -> HttpResponse:
    inst = get_instance_for_user(request, instance_id, detail="image", once_per_session=True)
    center, width = _float_param(request, "wc"), _float_param(request, "ww")
    frame = int(_float_param(request, "frame") or 0)
    if width is not None and width < 1:
        width = 1.0
    try:
        data = rendering.instance_png(inst, frame=frame, center=center, width=width)
    except (dicom.DicomError, ValueError, OSError) as exc:
        raise Http404("image cannot be rendered") from exc
    return _png(data)


@require_POST
@IMAGING_WRITE
def instance_update(request: AuthenticatedHttpRequest, instance_id: int) -> HttpResponse:
    inst = get_instance_for_user(request, instance_id, detail="edit image record")
    try:
        data = parse_instance_update(_json_body(request), (inst.columns, inst.rows))
        if "calibration" in data and inst.spacing_source not in ("none", "manual"):
            raise PayloadError(
                _(
                    "This image is calibrated from its DICOM spacing; "
                    "manual calibration is only for images without one."
                )
            )
        if "magnification" in data and inst.spacing_source != "ImagerPixelSpacing":
            raise PayloadError(
                _("A magnification factor applies only to ImagerPixelSpacing (detector plane).")
            )
        changed = services.update_instance(Actor.of(request), inst, data)
    except PayloadError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    inst.refresh_from_db()
    return JsonResponse({"changed": changed, "config": _image_config(inst)})


@IMAGING_READ
def volume_viewer(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    series = get_series_for_user(request, series_id, detail="CBCT viewer")
    if not series.is_volume:
        raise Http404
    try:
        meta = rendering.volume_meta(rendering.volume(series))
    except (dicom.DicomError, ValueError, OSError) as exc:
        raise Http404 from exc
    meta.update(
        {
            "slice_url": reverse("imaging_studies:slice", args=[series.pk]),
            "landmarks_url": reverse("imaging_studies:volume_landmarks", args=[series.pk]),
            "landmarks": series.landmarks_3d,
        }
    )
    return render(
        request,
        "imaging_studies/volume.html",
        {"series": series, "study": series.study, "patient": series.study.patient, "config": meta},
    )


@require_GET
@IMAGING_READ
def volume_slice(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    series = get_series_for_user(request, series_id, detail="CBCT slice", once_per_session=True)
    plane = request.GET.get("plane", "axial")
    if plane not in ("axial", "coronal", "sagittal") or not series.is_volume:
        raise Http404
    index = int(_float_param(request, "index") or 0)
    center, width = _float_param(request, "wc") or 0.0, max(_float_param(request, "ww") or 1.0, 1.0)
    try:
        return _png(rendering.slice_png(rendering.volume(series), plane, index, center, width))
    except (dicom.DicomError, ValueError) as exc:
        raise Http404 from exc


@require_POST
@IMAGING_WRITE
def volume_landmarks(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    """Body: {"landmarks": [{"name", "plane", "index", "row", "col"}]} (display pixels of a
    slice); stored with the voxel index and patient x, y, z in mm (LPS)."""
    series = get_series_for_user(request, series_id, detail="CBCT landmarks")
    if not series.is_volume:
        raise Http404  # 3-D landmarks need a volume (as the viewer page does)
    try:
        body = _json_body(request)
        vol = rendering.volume(series)
        meta = rendering.volume_meta(vol)
        marks = body.get("landmarks") if isinstance(body, dict) else None
        if not isinstance(marks, list) or len(marks) > 200:
            raise PayloadError(_("Landmarks must be a list (at most 200)."))
        out = []
        for m in marks:
            out.append(_volume_mark(vol, meta, m))
    except PayloadError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    services.save_volume_landmarks(Actor.of(request), series, out)
    return JsonResponse({"landmarks": out})


def _volume_mark(vol: dicom.Volume, meta: dict[str, Any], m: Any) -> dict[str, Any]:
    from atlaschart.imaging_studies.forms import _name, _number

    if not isinstance(m, dict) or m.get("plane") not in meta["planes"]:
        raise PayloadError(_("The request was not understood."))
    plane = meta["planes"][m["plane"]]
    index, row, col = (_number(m.get(k), k) for k in ("index", "row", "col"))
    if not (
        0 <= index < plane["count"]
        and -0.5 <= row <= plane["rows"] - 0.5
        and -0.5 <= col <= plane["cols"] - 0.5
    ):
        raise PayloadError(_("A landmark lies outside the volume."))
    k, r, c = rendering.voxel_of(vol, m["plane"], int(index), row, col)
    x, y, z = vol.voxel_to_patient_mm(k, r, c)
    return {
        "name": _name(m.get("name")),
        "plane": m["plane"],
        "index": int(index),
        "row": row,
        "col": col,
        "voxel": [round(k, 2), round(r, 2), round(c, 2)],
        "x_mm": round(x, 2),
        "y_mm": round(y, 2),
        "z_mm": round(z, 2),
    }


# --- upper cervical analysis -----------------------------------------------------------------


def _proposal_json(outcome: ListingOutcome | None) -> dict[str, Any] | None:
    """The table's proposal for the page (``None`` when there is none to show)."""
    if outcome is None or outcome.source != "rule-table":
        return None
    return {
        "listing": outcome.listing,
        "vector": vector_text(outcome.vector),
        "table": outcome.table,
        "rule": outcome.rule_index,
    }


def _editor(
    request: AuthenticatedHttpRequest, inst: Instance, view: str, analysis: UCAnalysis | None
) -> HttpResponse:
    profile = GENERIC_ORTHOGONAL
    spec = profile.view(view)
    table = services.active_listing_table(Actor.of(request), view)
    proposal = None
    rows: list[dict[str, Any]] = []
    if analysis is not None:
        try:
            result, errors = services.compute_with_errors(analysis.points, profile)
        except ValueError:
            result, errors = None, {}
        rows = labels.value_rows(analysis.values, errors)
        if result is not None and table is not None:
            proposal = services.listing_proposal(table, result)
    config = _image_config(inst)
    config.update(
        {
            "save_url": reverse("imaging_studies:analysis_save", args=[inst.pk]),
            "view": view,
            "analysis_id": analysis.pk if analysis else None,
            "required": list(spec.required_points),
            "optional": list(spec.optional_points),
            "points": core_to_flat(analysis.points.get("points", {})) if analysis else {},
            "table": table.label if table else None,
            "proposal": _proposal_json(proposal),
            "labels": labels.editor_labels(view),
        }
    )
    use_table = table is not None and (analysis is None or analysis.listing_source == "rule-table")
    return render(
        request,
        "imaging_studies/analysis.html",
        {
            "inst": inst,
            "patient": inst.series.study.patient,
            "study": inst.series.study,
            "profile": profile,
            "spec": spec,
            "listing_table": table,
            "proposal": config["proposal"],
            "use_table": use_table,
            "analysis": analysis,
            "config": config,
            "view_label": labels.view_label(view),
            "profile_title": labels.profile_title(profile.id, profile.title),
            "guides": labels.guides(view),
            "value_rows": rows,
            "warning_texts": labels.warning_texts(analysis.warnings) if analysis else [],
        },
    )


def _missing_points(spec: ViewSpec, points: dict[str, Any]) -> str | None:
    """A translated sentence naming the points still to place (None: enough are there), so the
    clinician reads point names in words rather than the core's one-line English reason."""
    missing = []
    for name in (*spec.required_points, *spec.optional_points):
        have = points.get(name)
        required = name in spec.required_points
        if name in PAIR_LISTS:
            short = (not have and required) or (have and len(have) < 2)
            label = labels.point_label(spec.name, f"{name}.….right")
        elif name in POINT_LISTS:
            short = (not have and required) or (have and len(have) < 3)
            label = labels.point_label(spec.name, f"{name}.…")
        else:
            short = have is None and required
            label = labels.point_label(spec.name, name)
        if short:
            missing.append(label)
    if not missing:
        return None
    return _(
        "Place these points first (skull pairs: at least two; arcs: at least three points): "
        "%(names)s."
    ) % {"names": ", ".join(missing)}


@IMAGING_WRITE
def analysis_new(request: AuthenticatedHttpRequest, instance_id: int) -> HttpResponse:
    inst = get_instance_for_user(request, instance_id, detail="analysis editor")
    form = AnalysisStartForm(request.GET)
    view = form.cleaned_data["view"] if form.is_valid() else "nasium"
    return _editor(request, inst, view, None)


@IMAGING_WRITE
def analysis_edit(request: AuthenticatedHttpRequest, analysis_id: int) -> HttpResponse:
    analysis = get_analysis_for_user(request, analysis_id, detail="analysis editor")
    return _editor(request, analysis.instance, analysis.view, analysis)


@require_POST
@IMAGING_WRITE
def analysis_save(request: AuthenticatedHttpRequest, instance_id: int) -> HttpResponse:
    inst = get_instance_for_user(request, instance_id, detail="analysis save")
    try:
        body = _json_body(request)
        if not isinstance(body, dict) or body.get("view") not in ("nasium", "vertex", "lateral"):
            raise PayloadError(_("The request was not understood."))
        analysis = None
        if body.get("analysis_id") is not None:
            analysis_id = body["analysis_id"]
            if (
                not isinstance(analysis_id, int)
                or isinstance(analysis_id, bool)
                or not 0 < analysis_id < 2**63
            ):
                raise PayloadError(_("The request was not understood."))
            analysis = get_analysis_for_user(request, body["analysis_id"], detail="analysis update")
            if analysis.instance_id != inst.pk:
                raise Http404
        points = flat_to_core(body.get("points"), (inst.columns, inst.rows))
        listing, vector = body.get("listing", ""), body.get("vector", "")
        use_table = body.get("use_table", True)
        if (
            not isinstance(listing, str)
            or not isinstance(vector, str)
            or not isinstance(use_table, bool)
        ):
            raise PayloadError(_("The request was not understood."))
        missing = _missing_points(GENERIC_ORTHOGONAL.view(body["view"]), points)
        if missing:
            raise PayloadError(missing)
        actor = Actor.of(request)
        table = services.active_listing_table(actor, body["view"])
        try:
            saved, outcome = services.save_analysis(
                actor,
                inst,
                view=body["view"],
                profile=GENERIC_ORTHOGONAL,
                points=points,
                listing=listing.strip(),
                vector=vector.strip(),
                listing_table=table,
                use_table=use_table,
                analysis=analysis,
            )
        except ValueError as exc:
            if isinstance(exc, PayloadError):
                raise
            # What remains after the check of missing points: coincident or collinear points.
            raise PayloadError(
                _(
                    "These points cannot make the lines of the analysis: two points of a line "
                    "coincide, or lines that must cross are parallel. Move the points and save "
                    "again."
                )
            ) from exc
    except PayloadError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    _result, errors = services.compute_with_errors(saved.points, GENERIC_ORTHOGONAL)
    return JsonResponse(
        {
            "rows": labels.value_rows(saved.values, errors),
            "warning_texts": labels.warning_texts(saved.warnings),
            "analysis_id": saved.pk,
            "algorithm": saved.algorithm,
            "values": saved.values,
            "warnings": saved.warnings,
            "listing_source": saved.listing_source,
            "listing": saved.listing,
            "vector": saved.vector,
            "listing_table": saved.listing_table.label if saved.listing_table else None,
            "listing_rule": saved.listing_rule,
            "table": table.label if table else None,
            "proposal": _proposal_json(outcome),
            "edit_url": reverse("imaging_studies:analysis_edit", args=[saved.pk]),
        }
    )


def _figure(analysis: UCAnalysis, caption: str) -> dict[str, Any]:
    inst = analysis.instance
    return {
        "analysis": analysis,
        "caption": caption,
        "image_url": reverse("imaging_studies:image", args=[inst.pk]),
        "cols": inst.columns,
        "rows": inst.rows,
        "lines": overlay.lines(analysis.points, inst.rows),
        "marks": overlay.marks(analysis.points),
        # Stroke widths in image pixels, so they look the same on a small and a large image.
        "stroke": max(1.5, max(inst.columns, inst.rows) / 300),
        "view_label": labels.view_label(analysis.view),
    }


@IMAGING_READ
def compare_view(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="imaging pre/post")
    analyses = list(
        analyses_of_clinic(request)
        .filter(patient=patient)
        .select_related("instance__series__study")
        .order_by("created_at", "id")
    )
    by_id = {a.pk: a for a in analyses}
    labels.decorate(analyses)
    context: dict[str, Any] = {"patient": patient, "analyses": analyses}
    try:
        pre, post = (
            by_id.get(int(request.GET.get("pre", 0))),
            by_id.get(int(request.GET.get("post", 0))),
        )
    except ValueError:  # not a number, or more digits than int() reads
        pre = post = None
    if pre and post:
        if pre.view != post.view:
            context["error"] = _("Pre and post must be analyses of the same view.")
        else:
            a, errors_a = services.compute_with_errors(pre.points, GENERIC_ORTHOGONAL)
            b, _errors_b = services.compute_with_errors(post.points, GENERIC_ORTHOGONAL)
            comparison = compare(a, b)
            context.update(
                {
                    "pre": pre,
                    "post": post,
                    "comparison": comparison,
                    "rows": labels.change_rows(comparison, errors_a),
                    "warning_texts": labels.warning_texts(comparison.warnings),
                    "default_error": DEFAULT_ERROR,
                    "figures": [
                        _figure(pre, _("Pre")),
                        _figure(post, _("Post")),
                    ],
                }
            )
    return render(request, "imaging_studies/compare.html", context)


# --- exports ---------------------------------------------------------------------------------


@require_POST
@IMAGING_EXPORT
def export_study(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    """Start (or find) the background job that packs the de-identified zip; its progress page
    leads to the download page. Fetched unlogged: the job logs the export once the zip exists,
    and the download is logged when it is fetched."""
    study = get_study_for_user(request, study_id, action=Action.EXPORT, log=False)

    def start() -> Job:
        return submit(
            Actor.of(request),
            imaging_jobs.EXPORT_KIND,
            patient=study.patient,
            input_sha256=imaging_jobs.export_input_sha256(study),
            payload={
                "study": study.pk,
                "back_url": reverse("imaging_studies:study", args=[study.pk]),
            },
        )

    job = start()
    if job.state == JobState.DONE and not media.exists(imaging_jobs.export_name(job)):
        # Its zip is gone (removed by hand, or a sweep raced this request): pack a new one.
        imaging_jobs.expire_export(job)
        job = start()
    return redirect(progress_url(job))


def _export_job(
    request: AuthenticatedHttpRequest, job_id: int, *, detail: str = ""
) -> tuple[Job, Study]:
    """The finished export job and its study (logged as viewed with ``detail``, if given)."""
    job = get_job_for_user(request, job_id, log=False)
    if job.kind != imaging_jobs.EXPORT_KIND or job.state != JobState.DONE:
        raise Http404
    study_id = int((job.result or {}).get("study") or 0)
    study = get_study_for_user(request, study_id, detail=detail, log=bool(detail))
    return job, study


@IMAGING_EXPORT
def export_ready(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job, study = _export_job(request, job_id, detail="de-identified export")
    return render(
        request,
        "imaging_studies/export_ready.html",
        {
            "job": job,
            "study": study,
            "patient": study.patient,
            "size_bytes": (job.result or {}).get("bytes", 0),
            "warnings": (job.result or {}).get("warnings", []),
        },
    )


@IMAGING_EXPORT
def export_download(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    """The packed zip, streamed from local disk or a signed-URL redirect to object storage
    (lib/media.py); each download is an access-log row of its own."""
    job, study = _export_job(request, job_id)
    name = imaging_jobs.export_name(job)
    if not media.exists(name):
        raise Http404
    services.log_export_download(Actor.of(request), study)
    response = media.serve(
        name, content_type="application/zip", download_name=f"study-{study.pk}-deidentified.zip"
    )
    response["X-Deidentification-Warnings"] = ",".join((job.result or {}).get("warnings", []))
    return response


@IMAGING_EXPORT
def export_png(request: AuthenticatedHttpRequest, instance_id: int) -> HttpResponse:
    inst = get_instance_for_user(request, instance_id, action=Action.EXPORT, log=False)
    analysis = None
    raw = request.GET.get("analysis", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        analysis = get_analysis_for_user(request, int(raw), action=Action.EXPORT, log=False)
        if analysis.instance_id != inst.pk:
            raise Http404
    response = _png(services.export_annotated_png(Actor.of(request), inst, analysis))
    response["Content-Disposition"] = f'attachment; filename="image-{inst.pk}-annotated.png"'
    return response


# --- clinic listing rule tables (clinic admins) ------------------------------------------------


def _condition_text(c: Condition, unit: str) -> str:
    lo, hi = c.min_value, c.max_value
    name = labels.value_label(c.value_name)
    symbol = labels.UNIT_SYMBOLS.get(unit, f" {unit}" if unit else "")
    if lo is not None and hi is not None:
        text = f"{lo:g}{symbol} ≤ {name} ≤ {hi:g}{symbol}"
    elif lo is not None:
        text = f"{name} ≥ {lo:g}{symbol}"
    elif hi is not None:
        text = f"{name} ≤ {hi:g}{symbol}"
    else:
        text = _("%(name)s: any value") % {"name": name}
    if c.side is None:
        text += ", " + _("no side")
    elif c.side == "left":
        text += ", " + _("side left")
    elif c.side == "right":
        text += ", " + _("side right")
    return text


def _rules(row: ListingTable) -> list[dict[str, Any]]:
    spec = GENERIC_ORTHOGONAL.view(row.view)
    units = {c.name: c.unit for c in spec.constructs}
    out = []
    rule: Rule
    for i, rule in enumerate(row.rule_table().rules):
        out.append(
            {
                "n": i,
                "conditions": [
                    _condition_text(c, units.get(c.value_name, "")) for c in rule.conditions
                ],
                "listing": rule.listing,
                "vector": vector_text(rule.vector),
            }
        )
    return out


@SETTINGS_READ
def listing_tables(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload, list, activate and deactivate the clinic's listing rule tables."""
    clinic_id = request.user.clinic_id
    assert clinic_id is not None  # the permission check admits members of a clinic only
    form = ListingTableForm(request.POST or None, request.FILES or None, clinic_id=clinic_id)
    if request.method == "POST":
        require(request.user, Kind.CLINIC_SETTINGS, Permission.WRITE)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.store_listing_table(
                Actor.of(request),
                form.cleaned_data["data"],
                form.cleaned_data["table"],
                activate=form.cleaned_data["activate"],
            )
        except services.ListingTableConflict:
            form.add_error(None, _("Another change was saved at the same moment. Try again."))
        else:
            if row.is_active:
                msg = _("The table %(label)s was stored and is now active for the %(view)s view.")
            else:
                msg = _("The table %(label)s was stored (not active).")
            messages.success(request, msg % {"label": row.label, "view": row.view})
            return redirect("imaging_studies:listing_tables")
    tables = list(
        listing_tables_of_clinic(request)
        .select_related("uploaded_by")
        .annotate(n_analyses=Count("analyses"))
    )
    for row in tables:
        row.rules = _rules(row)
    active = {row.view: row for row in tables if row.is_active}
    views = [
        {"name": v.name, "label": labels.view_label(v.name), "active": active.get(v.name)}
        for v in GENERIC_ORTHOGONAL.views
    ]
    for row in tables:
        row.view_label = labels.view_label(row.view)
    return render(
        request,
        "imaging_studies/listing_tables.html",
        {
            "form": form,
            "views": views,
            "tables": tables,
            # A table is written in the core's value names: list them with their words.
            "value_names": [
                {"name": c.name, "label": labels.value_label(c.name)}
                for v in GENERIC_ORTHOGONAL.views
                for c in v.constructs
            ],
        },
        status=400 if form.errors else 200,
    )


@require_POST
@SETTINGS_WRITE
def listing_table_active(request: AuthenticatedHttpRequest, table_pk: int) -> HttpResponse:
    # Unlogged read: the service writes the activation or deactivation row itself.
    row = get_listing_table_for_user(request, table_pk, log=False)
    active = request.POST.get("active") == "1"
    try:
        services.set_listing_table_active(Actor.of(request), row, active)
    except services.ListingTableConflict:
        messages.error(request, _("Another change was saved at the same moment. Try again."))
    else:
        if active:
            messages.success(
                request,
                _("%(label)s is now the active table for the %(view)s view.")
                % {"label": row.label, "view": row.view},
            )
        else:
            messages.success(
                request,
                _(
                    "%(label)s was deactivated: clinicians enter listings of the %(view)s view "
                    "themselves until a table is active."
                )
                % {"label": row.label, "view": row.view},
            )
    return redirect("imaging_studies:listing_tables")
