"""The chart's "imaging" section (registered from the AppConfig). Three queries whatever the
number of studies: studies, their series (with instance counts and first instance), analyses.

The section declares ``kind=Kind.IMAGING``: a role that may not read images (front desk) gets no
section at all, so it sees neither the studies nor a link that would answer 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Min
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.policy import Kind
from atlaschart.lib.presenting import RecordOnPage
from atlaschart.patients.chart import ChartSection, register_section
from atlaschart.patients.models import Patient

if TYPE_CHECKING:
    from atlaschart.imaging_studies.models import Study


@dataclass(frozen=True)
class StudyOnChart(RecordOnPage):
    """A study with its series (each with its instance count ``n`` and ``first`` instance), as
    the chart section lists it. The template reads the study's own fields through it."""

    study: Study
    series_list: list[Any]

    record_field = "study"


def section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    from atlaschart.imaging_studies.access import (
        analyses_of_clinic,
        series_of_clinic,
        studies_of_clinic,
    )

    # The chart view already went through get_patient_for_user (scoped and logged).
    studies = list(
        studies_of_clinic(request).filter(patient=patient).order_by("-created_at", "-id")[:30]
    )
    series = (
        series_of_clinic(request)
        .filter(study__in=studies)
        .annotate(n=Count("instances"), first=Min("instances__id"))
        .order_by("id")
    )
    by_study: dict[int, list[Any]] = {}
    for s in series:
        by_study.setdefault(s.study_id, []).append(s)
    rows = [StudyOnChart(study=st, series_list=by_study.get(st.pk, [])) for st in studies]
    analyses = list(
        analyses_of_clinic(request).filter(patient=patient).order_by("-created_at", "-id")[:10]
    )
    from atlaschart.imaging_studies.labels import decorate

    return {"studies": rows, "analyses": decorate(analyses)}


def register() -> None:
    register_section(
        ChartSection(
            "imaging",
            _("Imaging"),
            "imaging_studies/chart_section.html",
            40,
            section_context,
            kind=Kind.IMAGING,
        )
    )
