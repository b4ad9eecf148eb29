from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "atlaschart.reports"
    verbose_name = _("Patient report")

    def ready(self) -> None:
        from atlaschart.lib.policy import Kind
        from atlaschart.patients.chart import ChartSection, register_section
        from atlaschart.reports.views import report_section_context

        register_section(
            ChartSection(
                "report",
                _("Patient report"),
                "reports/chart_section.html",
                65,
                report_section_context,
                # The report carries posture photos and scores: a role that may not read posture
                # records (front desk) gets no section, so no button that would answer 403.
                kind=Kind.POSTURE,
            )
        )
