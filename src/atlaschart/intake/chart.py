"""The chart's "intake" and "outcomes" sections (a fixed few queries each, whatever the history:
the outcomes section reads every response of the patient once and builds the change summary
from that list)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.intake.models import FollowUp, Intake, IntakeLink, QuestionnaireResponse
from atlaschart.intake.outcomes import change_rows
from atlaschart.patients.chart import ChartSection, register_section
from atlaschart.patients.models import Patient


def intake_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    now = timezone.now()
    intakes = list(
        Intake.objects.filter(patient=patient).only("id", "submitted_at", "language")[:20]
    )
    followups = list(
        FollowUp.objects.filter(patient=patient).only("id", "submitted_at", "language")[:20]
    )
    links = list(
        IntakeLink.objects.filter(
            patient=patient, submitted_at__isnull=True, expires_at__gt=now
        ).only("id", "kind", "created_at", "expires_at", "draft_saved_at")[:5]
    )
    return {"intakes": intakes, "followups": followups, "open_links": links}


def outcomes_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    # Oldest first: the change summary needs each questionnaire's first and newest response.
    history = list(
        QuestionnaireResponse.objects.filter(patient=patient).order_by("recorded_at", "id")
    )
    return {"responses": history[::-1][:50], "changes": change_rows(history)}


def register() -> None:
    register_section(
        ChartSection("intake", _("Intake"), "intake/chart/intake.html", 0, intake_context)
    )
    register_section(
        ChartSection("outcomes", _("Outcomes"), "intake/chart/outcomes.html", 60, outcomes_context)
    )
