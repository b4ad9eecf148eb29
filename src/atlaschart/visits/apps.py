from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _appointments_section(request: Any, patient: Any) -> dict[str, Any]:
    from atlaschart.visits.access import appointments_of_clinic

    return {
        "appointments": list(
            appointments_of_clinic(request)
            .filter(patient=patient)
            .select_related("clinician")
            .order_by("-starts_at")[:10]
        ),
    }


def _visits_section(request: Any, patient: Any) -> dict[str, Any]:
    from atlaschart.visits.access import care_plans_of_clinic, consents_of_clinic, visits_of_clinic

    return {
        "visits": list(
            visits_of_clinic(request).filter(patient=patient).select_related("clinician")[:20]
        ),
        "plans": list(
            care_plans_of_clinic(request).filter(patient=patient).prefetch_related("goals")[:3]
        ),
        "consents": list(consents_of_clinic(request).filter(patient=patient)[:10]),
    }


def _adverse_banner(request: Any, patient: Any) -> dict[str, Any]:
    from atlaschart.visits.access import adverse_events_of_clinic

    return {
        "open_events": list(
            adverse_events_of_clinic(request).filter(
                patient=patient, escalated=True, reviewed_at__isnull=True
            )[:5]
        )
    }


class VisitsConfig(AppConfig):
    name = "atlaschart.visits"
    verbose_name = _("Visits and schedule")

    def ready(self) -> None:
        from atlaschart.exams.hooks import register_visit_lookup
        from atlaschart.lib.policy import Kind
        from atlaschart.patients.chart import ChartSection, register_banner, register_section
        from atlaschart.visits.access import get_visit_for_user

        # An exam form tied to a visit reaches it through the visits door (exams sits below
        # visits and does not import it).
        register_visit_lookup(get_visit_for_user)

        # Two sections, not one: front desk books and sees appointments, while visit notes, care
        # plans (and their goals) and consent are clinical and hidden from it.
        register_section(
            ChartSection(
                "appointments",
                _("Appointments"),
                "visits/chart_appointments.html",
                48,
                _appointments_section,
                kind=Kind.APPOINTMENT,
            )
        )
        register_section(
            ChartSection(
                "visits",
                _("Visits"),
                "visits/chart_section.html",
                50,
                _visits_section,
                kind=Kind.VISIT_NOTE,
            )
        )
        register_banner(
            ChartSection(
                "adverse_events",
                _("Adverse events"),
                "visits/banner.html",
                5,
                _adverse_banner,
                kind=Kind.ADVERSE_EVENT,
            )
        )
