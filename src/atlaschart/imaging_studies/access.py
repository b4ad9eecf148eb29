"""The one door to imaging records. Every study, series, instance and analysis is reached through
its patient, scoped to the user's clinic (``patients_of_clinic``); anything else is a 404. Each
call writes the access log, except image tiles, which are logged once per object per session (a
window/level drag or a CBCT slider would otherwise write hundreds of identical rows)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.imaging_studies.models import Instance, Series, Study, UCAnalysis
from atlaschart.patients.access import patients_of_clinic

_SESSION_KEY = "imaging_logged"


def studies_of_clinic(request: HttpRequest) -> QuerySet[Study]:
    return Study.objects.filter(patient__in=patients_of_clinic(request))


def _one(qs: QuerySet[Any], pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("No such imaging record")
    return obj


def _log(
    request: HttpRequest, action: Action, obj: Model, patient: Any, detail: str, once: bool
) -> None:
    if once:
        seen = request.session.get(_SESSION_KEY, [])
        key = f"{obj._meta.label_lower}:{obj.pk}"
        if key in seen:
            return
        request.session[_SESSION_KEY] = [*seen[-500:], key]
    log_access(request, action, patient=patient, obj=obj, detail=detail)


def get_study_for_user(
    request: HttpRequest, study_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Study:
    study = _one(studies_of_clinic(request).select_related("patient"), study_id)
    _log(request, action, study, study.patient, detail, once=False)
    return study


def get_series_for_user(
    request: HttpRequest,
    series_id: int,
    action: Action = Action.VIEW,
    detail: str = "",
    once: bool = False,
) -> Series:
    qs = Series.objects.filter(study__patient__in=patients_of_clinic(request))
    series = _one(qs.select_related("study__patient"), series_id)
    _log(request, action, series, series.study.patient, detail, once)
    return series


def get_instance_for_user(
    request: HttpRequest,
    instance_id: int,
    action: Action = Action.VIEW,
    detail: str = "",
    once: bool = False,
) -> Instance:
    qs = Instance.objects.filter(series__study__patient__in=patients_of_clinic(request))
    inst = _one(qs.select_related("series__study__patient", "blob"), instance_id)
    _log(request, action, inst, inst.series.study.patient, detail, once)
    return inst


def get_analysis_for_user(
    request: HttpRequest, analysis_id: int, action: Action = Action.VIEW, detail: str = ""
) -> UCAnalysis:
    qs = UCAnalysis.objects.filter(patient__in=patients_of_clinic(request))
    analysis = _one(
        qs.select_related("patient", "instance__series__study", "instance__blob"), analysis_id
    )
    _log(request, action, analysis, analysis.patient, detail, once=False)
    return analysis
