from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "atlaschart.intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from atlaschart.intake import chart

        chart.register()
