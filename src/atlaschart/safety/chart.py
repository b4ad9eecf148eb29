"""The chart's safety section and banner (two queries: latest screen, its acknowledgements)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

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


def _context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    # Built once per request for both the banner and the section.
    cache = getattr(request, "_safety_chart", None)
    if cache is not None and cache.get("patient_id") == patient.pk:
        return cache
    record = services.latest_screen(patient)
    ctx: dict[str, Any] = {"patient_id": patient.pk, "record": record}
    if record is None:
        ctx.update(level=services.NOT_SCREENED, blocking=[], findings=[])
    else:
        acks = services.acks_by_rule(record)
        blocking = services.unresolved(record, acks)
        ctx.update(
            level=record.level,
            blocking=blocking,
            findings=record.findings,
            acks=acks,
            unresolved_count=len(blocking),
        )
    ctx["banner_class"] = BANNER_CLASS.get(ctx["level"], "banner-danger")
    request._safety_chart = ctx  # type: ignore[attr-defined]
    return ctx


def register() -> None:
    register_banner(
        ChartSection("safety", _("Safety screening"), "safety/chart/banner.html", 10, _context)
    )
    register_section(
        ChartSection("safety", _("Safety screening"), "safety/chart/section.html", 10, _context)
    )
