"""Background tasks of the visits app (found by ``app.autodiscover_tasks()``): the daily reminder
of care-plan re-assessments that have come. Eager, in the web process, when no broker is
configured (``CELERY_TASK_ALWAYS_EAGER``).

The reminder lives here, not in intake, because it starts from the care plan (visits) and sends
through intake's sender: visits sits above intake, so the import goes down the layers. Its Celery
name stays ``atlaschart.intake.remind_due_reassessments`` so beat schedules already written keep
working.
"""

from __future__ import annotations

from typing import Any

# ``shared_task``: the project's Celery app (atlaschart/web/__init__.py loads it with Django)
# gives it its configuration, eager without a broker, the broker otherwise.
from celery import shared_task
from django.utils import timezone


def _clinic_actor(clinic_id: int) -> Any:
    """The clinic's first active clinic admin, as the sender of automatic reminders (the access
    log names who the clinic made responsible); ``None`` when the clinic has none."""
    from atlaschart.accounts.models import Role, User
    from atlaschart.lib.actor import Actor

    admin = (
        User.objects.filter(clinic_id=clinic_id, role=Role.CLINIC_ADMIN, is_active=True)
        .order_by("id")
        .first()
    )
    return None if admin is None else Actor.system(admin, via="task")


def default_instruments(patient: Any) -> list[str]:
    """The outcome questionnaires the patient answered before (the follow-up compares them);
    the NPRS when none (every follow-up also re-asks the body map)."""
    from atlaschart.intake.services import FOLLOWUP_INSTRUMENTS, instruments_done

    done = [i for i in instruments_done(patient) if i in FOLLOWUP_INSTRUMENTS and i != "psfs"]
    return done or ["nprs"]


@shared_task(name="atlaschart.intake.remind_due_reassessments")
def remind_due_reassessments() -> dict[str, int]:
    """Daily (``CELERY_BEAT_SCHEDULE``): e-mail a follow-up link to each patient whose care-plan
    re-assessment point has come, who has no link sent since, an e-mail address and no opt-out.
    The others stay on the front desk's today page."""
    from atlaschart.clinics.models import Clinic
    from atlaschart.intake import sending
    from atlaschart.intake.services import FollowUpRefused
    from atlaschart.visits.services import due_reassessments

    counts = {"sent": 0, "skipped": 0}
    day = timezone.localdate()
    for clinic_id in Clinic.objects.order_by("id").values_list("id", flat=True):
        actor = _clinic_actor(clinic_id)
        if actor is None:
            continue
        for due in due_reassessments(actor, day):
            if due.link_sent:
                continue
            try:
                sending.send_followup_link(
                    actor, due.patient, default_instruments(due.patient), "email"
                )
            except (sending.SendingRefused, FollowUpRefused):
                counts["skipped"] += 1
            else:
                counts["sent"] += 1
    return counts
