from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostureConfig(AppConfig):
    name = "atlaschart.posture"
    verbose_name = _("Posture")

    def ready(self) -> None:
        from atlaschart.lib.policy import Kind
        from atlaschart.patients.chart import ChartSection, register_section
        from atlaschart.posture.chart import posture_section_context

        register_section(
            ChartSection(
                "posture",
                _("Posture"),
                "posture/chart_section.html",
                30,
                posture_section_context,
                # Photos are clinical content: a role that may not read them (front desk) gets
                # no section, and so no link that would answer 403.
                kind=Kind.POSTURE,
            )
        )
