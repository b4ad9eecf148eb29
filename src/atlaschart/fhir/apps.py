from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FhirConfig(AppConfig):
    name = "atlaschart.fhir"
    label = "fhir"
    verbose_name = _("FHIR export")
