"""The upper cervical analysis editor (new, edit, save) and the annotated PNG export of an
image with its analysis."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.audit.models import Action
from atlaschart.imaging_studies import labels, services
from atlaschart.imaging_studies.access import get_analysis_for_user, get_instance_for_user
from atlaschart.imaging_studies.forms import (
    AnalysisStartForm,
    PayloadError,
    core_to_flat,
    flat_to_core,
    vector_text,
)
from atlaschart.imaging_studies.models import Instance, UCAnalysis
from atlaschart.imaging_studies.views._common import (
    IMAGING_EXPORT,
    IMAGING_WRITE,
    _image_config,
    _json_body,
    _png,
)
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL, ListingOutcome
from atlaschart.measure.radiograph.landmarks import PAIR_LISTS, POINT_LISTS
from atlaschart.measure.radiograph.profiles import ViewSpec


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
