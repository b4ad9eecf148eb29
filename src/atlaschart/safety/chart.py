"""The chart's safety section and banner (two queries: latest screen, its acknowledgements).

Whoever may not read safety screens (front desk) sees only the status: no screen yet, done, or
needs a clinician (a finding no clinician has resolved), never a level or a finding.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.policy import Kind
from atlaschart.patients.chart import ChartSection, register_banner, register_section
from atlaschart.patients.models import Patient
from atlaschart.safety import services

BANNER_CLASS = {
    "E": "banner-danger",
    "B-urgent": "banner-danger",
    "B-routine": "banner-danger",
    "H": "banner-warn",
    "W": "banner-warn",
    "none-found": "banner-info",
    services.NOT_SCREENED: "banner-muted",
}

#: The screen's status as front desk sees it.
NOT_DONE, DONE, NEEDS_CLINICIAN = "not-done", "done", "needs-clinician"


def _context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    # Built once per request for both the banner and the section.
    cache = getattr(request, "_safety_chart", None)
    if cache is not None and cache.get("patient_id") == patient.pk:
        return cache
    record = services.latest_screen(patient)
    ctx: dict[str, Any] = {"patient_id": patient.pk, "record": record}
    if record is None:
        ctx.update(level=services.NOT_SCREENED, blocking=[], findings=[], status=NOT_DONE)
    else:
        acks = services.acks_by_rule(record)
        blocking = services.unresolved(record, acks)
        ctx.update(
            level=record.level,
            blocking=blocking,
            findings=record.findings,
            acks=acks,
            unresolved_count=len(blocking),
            status=NEEDS_CLINICIAN if blocking else DONE,
        )
    ctx["banner_class"] = BANNER_CLASS.get(ctx["level"], "banner-danger")
    request._safety_chart = ctx  # type: ignore[attr-defined]
    return ctx


def _status_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Only the status and when: nothing of the findings leaves this function."""
    full = _context(request, patient)
    record = full["record"]
    return {
        "status": full["status"],
        "screened_at": record.created_at if record is not None else None,
    }


def register() -> None:
    register_banner(
        ChartSection(
            "safety",
            _("Safety screening"),
            "safety/chart/banner.html",
            10,
            _context,
            kind=Kind.SAFETY_SCREEN,
            status_template="safety/chart/status_banner.html",
            status_context=_status_context,
        )
    )
    register_section(
        ChartSection(
            "safety",
            _("Safety screening"),
            "safety/chart/section.html",
            10,
            _context,
            kind=Kind.SAFETY_SCREEN,
            status_template="safety/chart/status.html",
            status_context=_status_context,
        )
    )
