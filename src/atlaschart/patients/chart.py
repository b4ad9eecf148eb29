"""The patient chart page is built from sections that apps register.

The foundation registers a placeholder for each section; an app that fills one (intake, safety,
exam, posture, imaging, visits, outcomes) calls ``register_section`` from its ``AppConfig.ready``
with the same key, replacing the placeholder. Banners (e.g. the safety screen) work the same way.

A section names the ``kind`` of record it shows (``atlaschart.lib.policy.Kind``). A user whose role
may not read that kind gets the section's ``status_template`` instead (for front desk: whether an
intake or screen is done or needs a clinician, never its content), or no section at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.policy import Kind, Permission, allows
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
    kind: Kind | None = None
    status_template: str = ""
    status_context: ContextBuilder = field(default=_no_context)


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
    shown: list[tuple[ChartSection, dict[str, Any]]] = []
    for section in sorted(registry.values(), key=lambda s: s.order):
        if section.kind is None or allows(request.user, section.kind, Permission.READ):
            shown.append((section, section.context(request, patient)))
        elif section.status_template:
            status_only = ChartSection(
                section.key, section.title, section.status_template, section.order
            )
            shown.append((status_only, section.status_context(request, patient)))
    return shown


def chart_sections(
    request: HttpRequest, patient: Patient
) -> list[tuple[ChartSection, dict[str, Any]]]:
    return _render_list(_sections, request, patient)


def chart_banners(
    request: HttpRequest, patient: Patient
) -> list[tuple[ChartSection, dict[str, Any]]]:
    return _render_list(_banners, request, patient)
