from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _exam_section(request: Any, patient: Any) -> dict[str, Any]:
    from atlaschart.exams.models import ExamKind, ExamRecord

    records = list(ExamRecord.objects.filter(patient=patient).select_related("examiner")[:20])
    return {"records": records, "kinds": ExamKind.choices}


class ExamsConfig(AppConfig):
    name = "atlaschart.exams"
    verbose_name = _("Examinations")

    def ready(self) -> None:
        from atlaschart.patients.chart import ChartSection, register_section

        register_section(
            ChartSection("exam", _("Examination"), "exams/chart_section.html", 20, _exam_section)
        )
