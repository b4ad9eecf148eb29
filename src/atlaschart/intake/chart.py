"""The chart's "intake" and "outcomes" sections (a fixed few queries each, whatever the history:
the outcomes section reads every response of the patient once and builds the change summary
from that list).

Whoever may not read answers (front desk) gets the intake section's status only: whether an
intake or follow-up was submitted and when, and whether a link is open and started, with the
buttons to send a link; never the answers or the scores (the outcomes section is not shown).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.intake.access import (
    followups_of_clinic,
    intake_links_of_clinic,
    intakes_of_clinic,
    responses_of_clinic,
)
from atlaschart.intake.outcomes import change_rows
from atlaschart.lib.policy import Kind
from atlaschart.patients.chart import ChartSection, register_section
from atlaschart.patients.models import Patient


def _open_links(request: HttpRequest, patient: Patient) -> list[Any]:
    return list(
        intake_links_of_clinic(request)
        .filter(
            patient=patient,
            submitted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .only("id", "kind", "created_at", "expires_at", "draft_saved_at")[:5]
    )


def intake_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    intakes = list(
        intakes_of_clinic(request)
        .filter(patient=patient)
        .only("id", "submitted_at", "language", "consent_personal", "consent_health")[:20]
    )
    followups = list(
        followups_of_clinic(request)
        .filter(patient=patient)
        .only("id", "submitted_at", "language")[:20]
    )
    return {"intakes": intakes, "followups": followups, "open_links": _open_links(request, patient)}


def intake_status_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Only when things were submitted, never what: dates, no ids to open them by."""
    last_intake = (
        intakes_of_clinic(request)
        .filter(patient=patient)
        .values_list("submitted_at", "consent_personal", "consent_health")
        .first()
    )
    last_followup = (
        followups_of_clinic(request)
        .filter(patient=patient)
        .values_list("submitted_at", flat=True)
        .first()
    )
    return {
        "intake_done_at": last_intake[0] if last_intake else None,
        # Whether to ask in person (a consent answer, not a health answer).
        "intake_consent_refused": bool(last_intake and False in last_intake[1:]),
        "followup_done_at": last_followup,
        "open_links": _open_links(request, patient),
    }


def outcomes_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    # Oldest first: the change summary needs each questionnaire's first and newest response.
    history = list(
        responses_of_clinic(request).filter(patient=patient).order_by("recorded_at", "id")
    )
    return {"responses": history[::-1][:50], "changes": change_rows(history)}


def register() -> None:
    register_section(
        ChartSection(
            "intake",
            _("Intake"),
            "intake/chart/intake.html",
            0,
            intake_context,
            kind=Kind.INTAKE_ANSWERS,
            status_template="intake/chart/intake_status.html",
            status_context=intake_status_context,
        )
    )
    register_section(
        ChartSection(
            "outcomes",
            _("Outcomes"),
            "intake/chart/outcomes.html",
            60,
            outcomes_context,
            kind=Kind.INTAKE_ANSWERS,
        )
    )
