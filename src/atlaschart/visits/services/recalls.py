"""The front desk's recalls: patients due a follow-up visit, and care-plan re-assessments due
or overdue (module-level queries, none per patient)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient
from atlaschart.visits.access import (
    appointments_of_clinic,
    care_plans_of_clinic,
    visits_of_clinic,
)
from atlaschart.visits.models import (
    ACTIVE_STATUSES,
    CarePlan,
)


@dataclass(frozen=True)
class DueFollowup:
    """A patient whose care plan's next visit is due and who has nothing booked."""

    patient: Patient
    due_on: Any
    visits_done: int
    planned_visits: int


def due_followups(who: Actor | HttpRequest, day: Any) -> list[DueFollowup]:
    """Patients to call: their latest care plan still has visits to come, the next one is due
    (the last visit, or the plan's start, plus the plan's interval, on or before ``day``) and
    no appointment is booked from ``day`` on. Scheduling facts only: no clinical content."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    booked = set(
        appointments_of_clinic(who)
        .filter(starts_at__gte=start, status__in=ACTIVE_STATUSES)
        .values_list("patient_id", flat=True)
    )
    plans: dict[int, CarePlan] = {}
    for plan in care_plans_of_clinic(who).select_related("patient").order_by("start_date", "id"):
        plans[plan.patient_id] = plan  # the latest plan of each patient wins
    # One query for every planned patient's visit dates, grouped here (no query per patient).
    dates: dict[int, list[Any]] = {}
    for patient_id, visit_date in (
        visits_of_clinic(who)
        .filter(patient_id__in=list(plans))
        .values_list("patient_id", "visit_date")
    ):
        dates.setdefault(patient_id, []).append(visit_date)
    due = []
    for patient_id, plan in plans.items():
        if patient_id in booked or plan.start_date > day:
            continue
        visit_dates = [d for d in dates.get(patient_id, []) if d >= plan.start_date]
        if len(visit_dates) >= plan.planned_visits:
            continue
        last = max(visit_dates, default=None)
        due_on = last + timedelta(days=plan.interval_days) if last else plan.start_date
        if due_on <= day:
            due.append(DueFollowup(plan.patient, due_on, len(visit_dates), plan.planned_visits))
    return sorted(due, key=lambda d: (d.due_on, d.patient.name))


#: A re-assessment not done within this many days of its due date is shown as overdue.
REASSESSMENT_GRACE_DAYS = 7


@dataclass(frozen=True)
class DueReassessment:
    """A re-assessment point of the patient's latest care plan that has come and has no
    follow-up questionnaire since. ``point`` is ``"visit"`` (after visit ``number``) or
    ``"week"`` (``number`` weeks after the plan's start). Scheduling facts only."""

    patient: Patient
    due_on: Any
    point: str
    number: int
    overdue: bool
    link_sent: bool


def reassessment_due_dates(plan: CarePlan, visit_dates: list[Any]) -> list[tuple[Any, str, int]]:
    """(due date, point, number) of each point already reached: week N on start + N weeks;
    after visit N on the day of the plan's Nth visit (not reached while fewer were made)."""
    points = []
    for weeks in plan.reassess_weeks or []:
        points.append((plan.start_date + timedelta(weeks=int(weeks)), "week", int(weeks)))
    ordered = sorted(visit_dates)
    for number in plan.reassess_after_visits or []:
        if 0 < int(number) <= len(ordered):
            points.append((ordered[int(number) - 1], "visit", int(number)))
    return sorted(points)


def due_reassessments(who: Actor | HttpRequest, day: Any) -> list[DueReassessment]:
    """Re-assessments due or overdue on ``day`` for the clinic's patients (module-level
    queries: plans, visits, follow-ups and links, each once; no query per patient).

    A point is done when a follow-up questionnaire was submitted on or after its due date; only
    the latest point that is not done is listed per patient (one call, one link)."""
    from atlaschart.intake.access import followups_of_clinic, intake_links_of_clinic

    plans: dict[int, CarePlan] = {}
    for plan in care_plans_of_clinic(who).select_related("patient").order_by("start_date", "id"):
        plans[plan.patient_id] = plan
    plans = {pid: p for pid, p in plans.items() if p.reassess_weeks or p.reassess_after_visits}
    if not plans:
        return []
    dates: dict[int, list[Any]] = {}
    for patient_id, visit_date in (
        visits_of_clinic(who)
        .filter(patient_id__in=list(plans))
        .values_list("patient_id", "visit_date")
    ):
        dates.setdefault(patient_id, []).append(visit_date)
    answered: dict[int, Any] = {}
    for patient_id, at in (
        followups_of_clinic(who)
        .filter(patient_id__in=list(plans))
        .values_list("patient_id", "submitted_at")
    ):
        on = timezone.localdate(at)
        answered[patient_id] = max(answered.get(patient_id, on), on)
    sent: dict[int, Any] = {}
    for patient_id, at in (
        intake_links_of_clinic(who)
        .filter(patient_id__in=list(plans), kind="followup", revoked_at__isnull=True)
        .values_list("patient_id", "created_at")
    ):
        on = timezone.localdate(at)
        sent[patient_id] = max(sent.get(patient_id, on), on)
    due = []
    for patient_id, plan in plans.items():
        visit_dates = [d for d in dates.get(patient_id, []) if d >= plan.start_date]
        reached = [p for p in reassessment_due_dates(plan, visit_dates) if p[0] <= day]
        if not reached:
            continue
        due_on, point, number = reached[-1]
        last_answer = answered.get(patient_id)
        if last_answer is not None and last_answer >= due_on:
            continue
        last_link = sent.get(patient_id)
        due.append(
            DueReassessment(
                patient=plan.patient,
                due_on=due_on,
                point=point,
                number=number,
                overdue=(day - due_on).days > REASSESSMENT_GRACE_DAYS,
                link_sent=last_link is not None and last_link >= due_on,
            )
        )
    return sorted(due, key=lambda d: (d.due_on, d.patient.name))
