from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "atlaschart.safety"
    verbose_name = _("Safety screening")

    def ready(self) -> None:
        from atlaschart.safety import chart

        chart.register()
