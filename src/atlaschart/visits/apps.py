from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _visits_section(request: Any, patient: Any) -> dict[str, Any]:
    from atlaschart.visits.models import Appointment, CarePlan, ConsentRecord, Visit

    return {
        "visits": list(Visit.objects.filter(patient=patient).select_related("clinician")[:20]),
        "appointments": list(
            Appointment.objects.filter(patient=patient)
            .select_related("clinician")
            .order_by("-starts_at")[:10]
        ),
        "plans": list(CarePlan.objects.filter(patient=patient).prefetch_related("goals")[:3]),
        "consents": list(ConsentRecord.objects.filter(patient=patient)[:10]),
    }


def _adverse_banner(request: Any, patient: Any) -> dict[str, Any]:
    from atlaschart.visits.models import AdverseEvent

    return {
        "open_events": list(
            AdverseEvent.objects.filter(patient=patient, escalated=True, reviewed_at__isnull=True)[
                :5
            ]
        )
    }


class VisitsConfig(AppConfig):
    name = "atlaschart.visits"
    verbose_name = _("Visits and schedule")

    def ready(self) -> None:
        from atlaschart.patients.chart import ChartSection, register_banner, register_section

        register_section(
            ChartSection("visits", _("Visits"), "visits/chart_section.html", 50, _visits_section)
        )
        register_banner(
            ChartSection(
                "adverse_events", _("Adverse events"), "visits/banner.html", 5, _adverse_banner
            )
        )
