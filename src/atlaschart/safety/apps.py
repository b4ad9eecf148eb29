from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "atlaschart.safety"
    verbose_name = _("Safety screening")

    def ready(self) -> None:
        from atlaschart.exams.hooks import exam_recorded
        from atlaschart.safety import chart
        from atlaschart.safety.receivers import rescreen_after_exam

        chart.register()
        exam_recorded.connect(rescreen_after_exam, dispatch_uid="safety.rescreen_after_exam")
