"""The patient chart page is built from sections that apps register.

The foundation registers a placeholder for each section; an app that fills one (intake, safety,
exam, posture, imaging, visits, outcomes) calls ``register_section`` from its ``AppConfig.ready``
with the same key, replacing the placeholder. Banners (e.g. the safety screen) work the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from atlaschart.patients.models import Patient

ContextBuilder = Callable[[HttpRequest, Patient], dict[str, Any]]


def _no_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ChartSection:
    key: str
    title: str | Promise
    template: str
    order: int
    context: ContextBuilder = field(default=_no_context)


_sections: dict[str, ChartSection] = {}
_banners: dict[str, ChartSection] = {}

PLACEHOLDERS = [
    ("intake", _("Intake")),
    ("safety", _("Safety screening")),
    ("exam", _("Examination")),
    ("posture", _("Posture")),
    ("imaging", _("Imaging")),
    ("visits", _("Visits")),
    ("outcomes", _("Outcomes")),
]

for position, (key, title) in enumerate(PLACEHOLDERS):
    _sections[key] = ChartSection(key, title, "patients/chart/placeholder.html", position * 10)


def register_section(section: ChartSection) -> None:
    _sections[section.key] = section


def register_banner(section: ChartSection) -> None:
    _banners[section.key] = section


def _render_list(
    registry: dict[str, ChartSection], request: HttpRequest, patient: Patient
) -> list[tuple[ChartSection, dict[str, Any]]]:
    ordered = sorted(registry.values(), key=lambda s: s.order)
    return [(section, section.context(request, patient)) for section in ordered]


def chart_sections(
    request: HttpRequest, patient: Patient
) -> list[tuple[ChartSection, dict[str, Any]]]:
    return _render_list(_sections, request, patient)


def chart_banners(
    request: HttpRequest, patient: Patient
) -> list[tuple[ChartSection, dict[str, Any]]]:
    return _render_list(_banners, request, patient)
