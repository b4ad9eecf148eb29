"""The door to jobs: a job is seen only within its clinic (another clinic's job is a 404, as one
that does not exist). Who of the clinic may see it is the views' check: a user allowed the work
it belongs to (its handler's ``needs``; with none declared, only the user who asked for it)."""

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
    """The job ``pk`` of the acting user's clinic, logged; a 404 for another clinic's job.

    Which roles may see it is the view's check, as everywhere (``require_may_see`` for the
    job pages, whose kind varies; a result page's own ``permission_required`` otherwise)."""
    return job_door.get(who, pk, action, detail, once_per_session=once_per_session, log=log)


def require_may_see(who: Who, job: Job) -> None:
    """A 403 (and a ``denied`` row) unless the user may do the work this job belongs to."""
    if not may_see(as_actor(who), job):
        raise PermissionDenied
