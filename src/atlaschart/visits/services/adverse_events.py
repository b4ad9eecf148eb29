"""Adverse events: the follow-up after treatment, classified by the core's rule, escalated
when serious; the clinic admin's review."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.measure.exam.adverse_event import (
    ADVERSE_EVENT_RULE,
    PostTreatmentComplaint,
    SeriousCriterion,
    classify_complaint,
)
from atlaschart.visits.access import (
    adverse_event_door,
    visit_door,
)
from atlaschart.visits.models import (
    AdverseEvent,
    Visit,
)
from atlaschart.visits.services.common import acting_user, locked_row


@transaction.atomic
def record_followup(
    actor: Actor, visit: Visit, complaint: dict[str, Any] | None
) -> AdverseEvent | None:
    """Answer the follow-up question: ``None`` = no new or worse complaint. A complaint is
    classified by ``measure.exam.adverse_event``; serious (and intense) ones are escalated."""
    reporter = acting_user(actor)
    stored = locked_row(visit_door, actor, visit.pk)
    event = None
    if complaint is not None:
        parsed = PostTreatmentComplaint(
            complaint["description"],
            complaint["is_new"],
            complaint["severity_0_10"],
            complaint["onset_h"],
            complaint.get("baseline_severity_0_10"),
            complaint.get("duration_h"),
            tuple(SeriousCriterion(c) for c in complaint.get("serious_criteria", ())),
        )
        result = classify_complaint(parsed)
        event = AdverseEvent.objects.create(
            patient=stored.patient,
            visit=stored,
            description=parsed.description,
            is_new=parsed.is_new,
            severity_0_10=parsed.severity_0_10,
            baseline_severity_0_10=parsed.baseline_severity_0_10,
            onset_h=parsed.onset_h,
            duration_h=parsed.duration_h,
            serious_criteria=[c.value for c in parsed.serious_criteria],
            classification=result.classification.value,
            escalated=result.escalate_to_admin,
            algorithm=ADVERSE_EVENT_RULE.label,
            reported_by=reporter,
        )
        log_access(
            actor,
            Action.CREATE,
            patient=stored.patient,
            obj=event,
            detail=f"adverse event {result.classification.value}",
        )
    stored.followup_done = True
    stored.save(update_fields=["followup_done", "updated_at"])
    if event is None:
        log_access(
            actor,
            Action.UPDATE,
            patient=stored.patient,
            obj=stored,
            detail="follow-up: nothing new",
        )
    return event


@transaction.atomic
def review_adverse_event(actor: Actor, event: AdverseEvent) -> None:
    reviewer = acting_user(actor)
    stored = locked_row(adverse_event_door, actor, event.pk)
    if stored.reviewed_at is not None:
        return
    stored.reviewed_at = timezone.now()
    stored.reviewed_by = reviewer
    stored.save(update_fields=["reviewed_at", "reviewed_by"])
    log_access(actor, Action.UPDATE, patient=stored.patient, obj=stored, detail="reviewed by admin")
