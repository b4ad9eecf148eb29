"""The door to jobs: a job is seen only within its clinic (another clinic's job is a 404, as one
that does not exist), and only by a user allowed the work it belongs to (its handler's
``needs``; with none declared, only the user who asked for it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.jobs.models import Job
from atlaschart.jobs.registry import get_handler, unknown_handler
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor, as_actor
from atlaschart.lib.policy import allows

Who = Actor | HttpRequest

job_door = Door(
    Job,
    clinic_field="clinic_id",
    patient_attr="",
    related=("patient", "requested_by"),
    label="background job",
)


def jobs_of_clinic(who: Who) -> QuerySet[Job]:
    return job_door.of_clinic(who)


def may_see(actor: Actor, job: Job) -> bool:
    """Whether the actor's role may see this job (the door has already scoped it to the clinic)."""
    handler = get_handler(job.kind) or unknown_handler(job.kind)
    if not handler.needs:
        return actor.user is not None and actor.user.pk == job.requested_by_id
    return all(allows(actor.user, kind, permission) for kind, permission in handler.needs)


def get_job_for_user(
    who: Who,
    pk: int,
    action: Action = Action.VIEW,
    detail: str = "",
    *,
    once_per_session: bool = False,
    log: bool = True,
) -> Job:
    """The job ``pk`` of the acting user's clinic, logged; 404 for another clinic's, 403 when the
    user's role may not do the job's work."""
    actor = as_actor(who)
    job = job_door.get(who, pk, action, detail, log=False)
    if not may_see(actor, job):
        raise PermissionDenied
    if log:
        # Logged through the door after the role check, so a refused look writes only `denied`.
        job_door.get(who, pk, action, detail, once_per_session=once_per_session)
    return job
