"""The chart's safety section and banner (latest screen, its acknowledgements, re-assessments).

Whoever may not read safety screens (front desk) sees only the status: no screen yet, done, or
needs a clinician (a finding no clinician has resolved), never a level or a finding.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.policy import Kind
from atlaschart.measure.safety import allowed_actions
from atlaschart.measure.safety import gate as core_gate
from atlaschart.patients.chart import ChartSection, register_banner, register_section
from atlaschart.patients.models import Patient
from atlaschart.safety import display, services
from atlaschart.safety.models import ScreenRecord

#: The screen's status as front desk sees it.
NOT_DONE, DONE, NEEDS_CLINICIAN = "not-done", "done", "needs-clinician"


def state(patient: Patient, record: ScreenRecord | None) -> dict[str, Any]:
    """What holds now, for the banner, the section and the safety page: the level, each
    finding in words with who acknowledged or overrode it and why, the clinician's
    re-assessments, and per technique class whether it may be signed."""
    if record is None:
        decisions = services.gate_decisions(None)
        return {
            "record": None,
            "level": services.NOT_SCREENED,
            "level_label": display.level_label(services.NOT_SCREENED),
            "level_holds": True,
            "findings": [],
            "allowed": _allowed_rows(decisions),
            "banner_class": "banner-muted",
            "status": NOT_DONE,
            "reassessments": [],
            "unreviewed_count": 0,
        }
    acks = services.acks_by_rule(record)
    decisions = services.gate_decisions(record, acks)
    findings = display.stored_findings(record)
    blocking = {
        r.finding.rule for d in decisions.values() for r in d.reasons if r.finding is not None
    }
    rows = [
        {
            "rule": f.rule,
            "item": display.item_label(display.item_of(f.rule)),
            "level": f.level,
            "level_label": display.level_label(f.level),
            "text": display.finding_text(f),
            "ack": acks.get(f.rule),
            "ack_label": display.ack_label(acks[f.rule].action, f.level) if f.rule in acks else "",
            "blocking": f.rule in blocking,
            "actions": allowed_actions(f),
        }
        for f in findings
    ]
    unreviewed = core_gate.unreviewed(findings, services.resolutions(acks))
    # Whether the level's own block still holds: once every finding at the screen's level is
    # overridden, the banner must not keep announcing that level's prohibition.
    level_holds = any(row["blocking"] and row["level"] == record.level for row in rows)
    allowed = _allowed_rows(decisions)
    return {
        "record": record,
        "level": record.level,
        "level_label": display.level_label(record.level),
        "level_holds": level_holds or record.level == "none-found",
        "findings": rows,
        "allowed": allowed,
        "banner_class": _banner_class(allowed),
        "status": NEEDS_CLINICIAN if unreviewed else DONE,
        "unreviewed_count": len(unreviewed),
        "reassessments": _reassessment_rows(patient, record),
        "expired": any(
            r.code == core_gate.SCREEN_EXPIRED for d in decisions.values() for r in d.reasons
        ),
    }


def _allowed_rows(
    decisions: dict[core_gate.TechniqueClass, core_gate.GateDecision],
) -> list[dict[str, Any]]:
    days = services.max_age_days()
    return [
        {
            "technique": technique.value,
            "label": display.TECHNIQUE_CLASS_LABELS[technique],
            "allowed": decision.allowed,
            "why": display.gate_sentence(decision, days),
        }
        for technique, decision in decisions.items()
    ]


def _banner_class(allowed: list[dict[str, Any]]) -> str:
    """Red when nothing manual may be signed, amber when something is blocked, blue otherwise:
    the colour follows what holds now, not the level the screen started at."""
    if all(row["allowed"] for row in allowed):
        return "banner-info"
    manual = [row for row in allowed if row["technique"] != core_gate.TechniqueClass.NOT_MANUAL]
    if not any(row["allowed"] for row in manual):
        return "banner-danger"
    return "banner-warn"


def _reassessment_rows(patient: Patient, record: ScreenRecord) -> list[dict[str, Any]]:
    rows = []
    for screen in services.reassessments(patient, record):
        rows.append(
            {
                "screen": screen,
                "by": screen.created_by,
                "at": screen.created_at,
                "reason": screen.reassessment_reason,
                "changes": [
                    {
                        "item": display.item_label(item),
                        "patient": display.answer_text(item, change.get("before")),
                        "clinician": display.answer_text(item, change.get("after")),
                    }
                    for item, change in screen.reassessed.items()
                ],
            }
        )
    return rows


def _context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    # Built once per request for both the banner and the section.
    cache: dict[str, Any] | None = getattr(request, "_safety_chart", None)
    if cache is not None and cache.get("patient_id") == patient.pk:
        return cache
    ctx = state(patient, services.latest_screen(patient))
    ctx["patient_id"] = patient.pk
    # A memo for the rest of this request, kept on the request (HttpRequest declares no slot).
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
