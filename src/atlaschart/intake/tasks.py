"""Background tasks of the intake app (found by ``app.autodiscover_tasks()``): sending follow-up
links. Eager, in the web process, when no broker is configured (``CELERY_TASK_ALWAYS_EAGER``).
The daily reminder of due re-assessments is in ``visits.tasks`` (it starts from the care plan)."""

from __future__ import annotations

from typing import Any

# ``shared_task``: the project's Celery app (atlaschart/web/__init__.py loads it with Django)
# gives it its configuration, eager without a broker, the broker otherwise.
from celery import shared_task


@shared_task(name="atlaschart.intake.send_followup_link")
def send_followup_link(
    user_id: int, patient_id: int, instruments: list[str], channel: str = "email"
) -> dict[str, Any]:
    """Send one follow-up link on behalf of ``user_id`` (who asked for it on the chart)."""
    from atlaschart.accounts.models import User
    from atlaschart.intake import sending
    from atlaschart.intake.services import FollowUpRefused
    from atlaschart.lib.actor import Actor
    from atlaschart.patients.access import get_patient_for_user

    user = User.objects.get(pk=user_id)
    actor = Actor.system(user, via="task")
    patient = get_patient_for_user(actor, patient_id)
    try:
        link = sending.send_followup_link(actor, patient, instruments, channel)
    except (sending.SendingRefused, FollowUpRefused) as exc:
        return {"sent": False, "reason": str(exc)}
    return {"sent": True, "link_id": link.pk}
