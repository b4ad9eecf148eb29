from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _exam_section(request: Any, patient: Any) -> dict[str, Any]:
    from atlaschart.exams.access import exams_of_clinic
    from atlaschart.exams.models import ExamKind

    records = list(exams_of_clinic(request).filter(patient=patient).select_related("examiner")[:20])
    return {"records": records, "kinds": ExamKind.choices}


class ExamsConfig(AppConfig):
    name = "atlaschart.exams"
    verbose_name = _("Examinations")

    def ready(self) -> None:
        from atlaschart.lib.policy import Kind
        from atlaschart.patients.chart import ChartSection, register_section

        # Findings are clinical content: a role that may not read exams (front desk) gets no
        # section at all.
        register_section(
            ChartSection(
                "exam",
                _("Examination"),
                "exams/chart_section.html",
                20,
                _exam_section,
                kind=Kind.EXAM,
            )
        )
