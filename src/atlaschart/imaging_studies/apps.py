from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagingStudiesConfig(AppConfig):
    name = "atlaschart.imaging_studies"
    label = "imaging_studies"
    verbose_name = _("Imaging studies")

    def ready(self) -> None:
        from atlaschart.imaging_studies.chart import register

        register()
