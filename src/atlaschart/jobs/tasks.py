"""The one Celery task of the jobs app: run a job by its id (idempotent: see services.run_job)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings


@shared_task(
    bind=True,
    name="atlaschart.jobs.run",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
)
def run(self: Any, job_id: int) -> str:
    """Claim and run the job. ``acks_late``: a worker that dies mid-job leaves the message to be
    delivered again; the claim (``services._claim``) makes a second delivery do nothing while the
    first run lives, and take the job over once that run is stale (its worker died)."""
    from atlaschart.jobs.models import Job
    from atlaschart.jobs.registry import get_handler
    from atlaschart.jobs.services import run_job

    outcome = run_job(int(job_id))
    if outcome == "busy" and not settings.CELERY_TASK_ALWAYS_EAGER:
        job = Job.objects.filter(pk=job_id).only("kind").first()
        handler = get_handler(job.kind) if job is not None else None
        # Look again once the other run would count as dead; by then it is usually done.
        raise self.retry(countdown=(handler.stale_after_s if handler else 900) + 5)
    return outcome
