"""The image viewer, its pixels and record updates, and the CBCT volume viewer with its
slices and 3-D landmarks."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atlaschart.imaging import dicom
from atlaschart.imaging_studies import labels, rendering, services
from atlaschart.imaging_studies.access import get_instance_for_user, get_series_for_user
from atlaschart.imaging_studies.forms import AnalysisStartForm, PayloadError, parse_instance_update
from atlaschart.imaging_studies.models import Projection, ScreenSide
from atlaschart.imaging_studies.views._common import (
    IMAGING_READ,
    IMAGING_WRITE,
    _float_param,
    _image_config,
    _json_body,
    _png,
)
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL


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


_PLANES: dict[str, dicom.Plane] = {"axial": "axial", "coronal": "coronal", "sagittal": "sagittal"}


def _plane(value: str) -> dicom.Plane | None:
    """The plane named in the query, or None for a name that is not one."""
    return _PLANES.get(value)


@require_GET
@IMAGING_READ
def volume_slice(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    series = get_series_for_user(request, series_id, detail="CBCT slice", once_per_session=True)
    plane = _plane(request.GET.get("plane", "axial"))
    if plane is None or not series.is_volume:
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
