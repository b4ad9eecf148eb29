"""Helpers the imaging pages share: the permission decorators, PNG responses, the JSON body and
query-number parsers, and the image configuration the viewer and the analysis editor hand to
their scripts."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import reverse

from atlaschart.imaging_studies import labels
from atlaschart.imaging_studies.forms import PayloadError
from atlaschart.imaging_studies.models import Instance
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.jsonbody import BadJSON, parse_json
from atlaschart.lib.policy import Kind, Permission, permission_required

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
