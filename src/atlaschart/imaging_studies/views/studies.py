"""The study page and the pre/post comparison of two analyses of a patient."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from atlaschart.imaging_studies import labels, overlay, services
from atlaschart.imaging_studies.access import analyses_of_clinic, get_study_for_user
from atlaschart.imaging_studies.models import UCAnalysis
from atlaschart.imaging_studies.views._common import IMAGING_READ
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.measure.radiograph import DEFAULT_ERROR, GENERIC_ORTHOGONAL, compare
from atlaschart.patients.access import get_patient_for_user


@IMAGING_READ
def study_detail(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    study = get_study_for_user(request, study_id, detail="study")
    series = list(study.series.prefetch_related("instances"))
    return render(
        request,
        "imaging_studies/study.html",
        {"study": study, "patient": study.patient, "series": series},
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
