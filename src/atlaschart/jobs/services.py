"""Submitting a job and running it.

``submit`` is called by a request (or the CLI, the demo) once the raw input is stored; it returns
the job at once. ``run_job`` is what the Celery task ``atlaschart.jobs.run`` does in the worker:
it claims the job with one conditional UPDATE, so a task delivered twice, or retried after the
first run finished, finds nothing to claim and does nothing. See docs/background.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.jobs.models import Job, JobState
from atlaschart.jobs.registry import (
    JobFailed,
    JobResult,
    Progress,
    get_handler,
    unknown_handler,
)
from atlaschart.lib.actor import Actor
from atlaschart.lib.policy import allows

if TYPE_CHECKING:
    from atlaschart.patients.models import Patient

logger = logging.getLogger(__name__)

#: The access-log detail of a submitted job.
SUBMIT_DETAIL = "background job"


def input_sha256(*parts: bytes | str | int | dict[str, Any] | None) -> str:
    """The idempotency key of a job's input: SHA-256 over the parts, each length-prefixed (so
    ("ab", "c") and ("a", "bc") differ); dicts as sorted JSON."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, dict):
            raw = json.dumps(part, sort_keys=True, separators=(",", ":")).encode()
        elif isinstance(part, bytes):
            raw = part
        else:
            raw = str(part).encode()
        digest.update(len(raw).to_bytes(8, "big"))
        digest.update(raw)
    return digest.hexdigest()


def live_job(clinic_id: int, kind: str, sha256: str) -> Job | None:
    """The queued, running or done job of this input, if any."""
    return (
        Job.objects.filter(clinic_id=clinic_id, kind=kind, input_sha256=sha256)
        .exclude(state=JobState.FAILED)
        .first()
    )


def submit(
    actor: Actor,
    kind: str,
    *,
    patient: Patient | None,
    input_sha256: str,
    payload: dict[str, Any],
) -> Job:
    """The job for this input: the live one if it exists (``job.reused`` is then true; the
    caller removes what it stored for it), else a new queued one, logged and sent to the worker.

    The caller has checked that the actor may do the work (the view's ``permission_required``);
    the worker checks it again against the handler's ``needs`` when the job starts.
    """
    handler = get_handler(kind)
    if handler is None:
        raise ValueError(f"no job handler for {kind!r}")
    clinic_id = actor.clinic_id
    if clinic_id is None or actor.user is None:
        raise PermissionDenied
    if len(input_sha256) != 64:
        raise ValueError("input_sha256 must be 64 hex digits")
    existing = live_job(clinic_id, kind, input_sha256)
    if existing is not None:
        existing.reused = True  # type: ignore[attr-defined]
        return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                clinic_id=clinic_id,
                patient=patient,
                requested_by=actor.user,
                kind=kind,
                input_sha256=input_sha256,
                payload=payload,
            )
            log_access(actor, Action.CREATE, patient=patient, obj=job, detail=SUBMIT_DETAIL)
    except IntegrityError:
        # The same input submitted at the same moment by another request: that job is the one.
        existing = live_job(clinic_id, kind, input_sha256)
        if existing is None:
            raise
        existing.reused = True  # type: ignore[attr-defined]
        return existing
    dispatch(job.pk)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        job.refresh_from_db()  # it ran here: the caller sees how it ended
    job.reused = False  # type: ignore[attr-defined]
    return job


def dispatch(job_id: int) -> None:
    """Send the task. Eager (no worker: tests, the CLI): run it here and now. With a worker: after
    the surrounding transaction commits, so the worker finds the job row."""
    from atlaschart.jobs.tasks import run

    if settings.CELERY_TASK_ALWAYS_EAGER:
        run.delay(job_id)
    else:
        transaction.on_commit(lambda: run.delay(job_id))


def _claim(job_id: int) -> str:
    """Take the job for this run: queued, or running so long ago that its worker died.

    One UPDATE with the condition in its WHERE: of two deliveries at once, exactly one changes the
    row (the database serialises the two writes), the other sees 0 rows and stops.
    """
    now = timezone.now()
    job = Job.objects.filter(pk=job_id).only("kind", "state").first()
    if job is None:
        return "skipped"
    handler = get_handler(job.kind) or unknown_handler(job.kind)
    stale_before = now - timedelta(seconds=handler.stale_after_s)
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, started_at__lt=stale_before)
    changed = Job.objects.filter(claimable, pk=job_id).update(
        state=JobState.RUNNING,
        started_at=now,
        step="started",
        attempts=F("attempts") + 1,
    )
    if changed == 1:
        return "claimed"
    return "busy" if job.state == JobState.RUNNING else "skipped"


def run_job(job_id: int) -> str:
    """Run job ``job_id`` if it is there to be claimed; return its state afterwards: "skipped" when
    it is finished (another delivery did it) or gone, "busy" when another run holds it."""
    claim = _claim(job_id)
    if claim != "claimed":
        return claim
    job = Job.objects.select_related("requested_by", "clinic", "patient").get(pk=job_id)
    handler = get_handler(job.kind) or unknown_handler(job.kind)
    started = time.perf_counter()
    try:
        if not _still_allowed(job, handler.needs):
            raise JobFailed("not_allowed")
        outcome = handler.function(job, Progress(job))
        if not isinstance(outcome, JobResult):
            raise TypeError(f"{job.kind} returned {type(outcome).__name__}, not JobResult")
    except JobFailed as failure:
        _finish(job, JobState.FAILED, error_code=failure.code, error_params=failure.params)
        logger.info("job %s (%s) failed: %s", job.pk, job.kind, failure.code)
        return JobState.FAILED
    except Exception:
        logger.exception("job %s (%s) failed unexpectedly", job.pk, job.kind)
        _finish(job, JobState.FAILED, error_code="unexpected", error_params={})
        return JobState.FAILED
    result = dict(outcome.result)
    if outcome.notice:
        result["notice"] = {"code": outcome.notice, "level": outcome.notice_level}
    result["seconds"] = round(time.perf_counter() - started, 3)
    _finish(job, JobState.DONE, result_url=outcome.result_url, result=result)
    return JobState.DONE


def _still_allowed(job: Job, needs: tuple[Any, ...]) -> bool:
    user = job.requested_by
    if not user.is_active or user.clinic_id != job.clinic_id:
        return False
    return all(allows(user, kind, permission) for kind, permission in needs)


def _finish(job: Job, state: str, **fields: Any) -> None:
    values: dict[str, Any] = {"state": state, "finished_at": timezone.now(), **fields}
    if state == JobState.DONE:
        values.update(step="finished", done=max(job.done, job.total))
    # Only this run's claim may finish the job (a stale reclaim may have taken it meanwhile).
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts).update(
            **values
        )
    for name, value in values.items():
        setattr(job, name, value)


def actor_of(job: Job) -> Actor:
    """The actor a handler acts as: the user who asked for the job, through the worker."""
    return Actor.system(job.requested_by, via="task")
