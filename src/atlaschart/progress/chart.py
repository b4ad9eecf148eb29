"""The progress link on the patient chart (no query of its own: the chart's count stays put)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from atlaschart.lib.policy import Kind
from atlaschart.patients.chart import ChartSection, register_section


def register() -> None:
    register_section(
        ChartSection(
            "progress",
            _("Progress"),
            "progress/chart_section.html",
            order=65,
            kind=Kind.INTAKE_ANSWERS,
        )
    )
