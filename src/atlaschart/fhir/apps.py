from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FhirConfig(AppConfig):
    name = "atlaschart.fhir"
    label = "fhir"
    verbose_name = _("FHIR export")

    def ready(self) -> None:
        from atlaschart.fhir.export_views import export_section_context
        from atlaschart.lib.policy import Kind
        from atlaschart.patients.chart import ChartSection, register_section

        register_section(
            ChartSection(
                "fhir_export",
                _("Whole record (FHIR)"),
                "fhir/chart_section.html",
                68,
                export_section_context,
                # Clinical content: a role that reads no visit notes (front desk) gets no
                # section; within it the button asks the export permission itself.
                kind=Kind.VISIT_NOTE,
            )
        )
