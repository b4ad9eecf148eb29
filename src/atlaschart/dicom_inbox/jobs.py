"""The background job that imports a held study once a person has confirmed its patient (the
``jobs`` app finds this module).

The item was marked "being imported" by ``services.confirm`` in a short transaction; this job
reads its files from the media storage through the web upload's import (``importing.import_files``:
slice by slice, short batches, de-duplicated by SOP Instance UID and sha256) and files the item
in one more short transaction. Idempotent: a second confirmation finds this job; a second run of
it stores nothing new (the instances are there) and finds the item filed already.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atlaschart.dicom_inbox import importer, services
from atlaschart.dicom_inbox.access import inbox_of_clinic
from atlaschart.dicom_inbox.models import HeldReason, InboxState
from atlaschart.imaging_studies import importing
from atlaschart.imaging_studies import jobs as imaging_jobs
from atlaschart.jobs.models import Job
from atlaschart.jobs.registry import JobFailed, JobResult, Progress, job_handler
from atlaschart.lib.actor import Actor
from atlaschart.lib.policy import Kind, Permission

ERRORS = {
    **imaging_jobs.IMPORT_ERRORS,
    "not-held": _(
        "This study is no longer waiting to be imported (it was discarded or imported already)."
    ),
    "files-gone": _(
        "The files of this study are no longer on the server; nothing was imported. Send the "
        "study again from the machine."
    ),
}


@job_handler(
    services.IMPORT_HELD_KIND,
    needs=((Kind.IMAGING, Permission.WRITE),),
    title=_("Importing a study from the imaging inbox"),
    steps={
        "reading": _("Reading and checking slice %(done)s of %(total)s"),
        "storing": _("Storing image %(done)s of %(total)s"),
        "volume": _("Building the CBCT volume"),
    },
    errors=ERRORS,
    notices={
        "imported": _("The images were imported."),
        "nothing-new": _("These images were already stored; nothing new was imported."),
    },
)
def import_held(job: Job, progress: Progress) -> JobResult:
    """Payload: ``{"item": pk}``; the chart is the job's patient, picked by the person."""
    actor = Actor.system(job.requested_by, via="task")
    patient = job.patient
    item = inbox_of_clinic(actor).filter(pk=int((job.payload or {}).get("item", 0))).first()
    if item is None or patient is None:
        raise JobFailed("not-held")
    chart_url = reverse("patients:chart", args=[patient.pk]) + "#section-imaging"
    if item.state == InboxState.IMPORTED and item.patient_id == patient.pk:
        # A second run after the first filed it: the same result, nothing stored again.
        return JobResult(result_url=chart_url, notice="nothing-new", notice_level="info")
    if item.state != InboxState.IMPORTING or item.patient_id != patient.pk:
        raise JobFailed("not-held")

    def step(code: str, done: int, total: int) -> None:
        progress.step(code, done, total)

    try:
        with services.held_local_paths(item) as paths:
            outcome = importing.import_files(
                actor,
                patient,
                paths,
                source=importer.SOURCE,
                identity_confirmed=True,
                step=step,
            )
    except importing.ImportRefused as refused:
        services.release(item, HeldReason.IMPORT_REFUSED)
        code = refused.code if refused.code in ERRORS else "unreadable"
        raise JobFailed(code, name=refused.name) from refused
    except FileNotFoundError as gone:
        services.release(item)
        raise JobFailed("files-gone") from gone
    services.finish_import(actor, item, patient)
    if len(outcome.study_ids) == 1:
        result_url = reverse("imaging_studies:study", args=[outcome.study_ids[0]])
    else:
        result_url = chart_url
    return JobResult(
        result_url=result_url,
        result={
            "item": item.pk,
            "instances": outcome.instances,
            "duplicates": outcome.duplicates,
            "study_ids": list(outcome.study_ids),
        },
        notice="imported" if outcome.instances else "nothing-new",
        notice_level="success" if outcome.instances else "info",
    )
