from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "atlaschart.progress"
    verbose_name = _("Progress")

    def ready(self) -> None:
        from atlaschart.progress import chart

        chart.register()
