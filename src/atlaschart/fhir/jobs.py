"""The whole-record export as a background job (the jobs app, docs/background.md).

The chart's form submits the job with the reason (``export_views.download``); here the archive
is built through the doors as the requesting user (``write_archive``, not logged: nothing has
left the clinic yet) and kept in the private media storage under a name fixed by the job, so a
second run writes the same file. It leaves only through ``export_views.made``, through the job's
door, and that download is the access-log ``export`` row, with the reason. Archives older than a
day are removed when the next export of the clinic is made.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta

from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.jobs.models import Job
from atlaschart.jobs.registry import JobFailed, JobResult, Progress, job_handler
from atlaschart.jobs.services import actor_of
from atlaschart.lib import media
from atlaschart.lib.policy import Kind, Permission

EXPORT_KIND = "fhir.export_record"
EXPORT_NEEDS = ((Kind.WHOLE_RECORD, Permission.EXPORT),)
FOLDER = "fhir-exports"
KEEP_FOR = timedelta(days=1)


def archive_name(job: Job) -> str:
    return f"{FOLDER}/{job.clinic.pk}/{job.pk}-{job.input_sha256[:16]}.zip"


def _sweep(clinic_id: int, keep: str) -> None:
    """Remove this clinic's archives older than ``KEEP_FOR`` (a record copy is not kept longer
    than its download needs)."""
    folder = f"{FOLDER}/{clinic_id}"
    try:
        _dirs, files = media.listdir(folder)
    except (FileNotFoundError, OSError):
        return
    cutoff = timezone.now() - KEEP_FOR
    for name in files:
        path = f"{folder}/{name}"
        if path == keep:
            continue
        try:
            if media.modified_time(path) < cutoff:
                media.delete(path)
        except (FileNotFoundError, OSError):
            continue


@job_handler(
    EXPORT_KIND,
    title=_("Preparing the whole record as FHIR"),
    result_is_download=True,
    needs=EXPORT_NEEDS,
    steps={
        "building": _("Gathering the record and writing the archive"),
        "storing": _("Keeping the archive for download"),
    },
    errors={"patient_gone": _("The patient of this export is no longer there.")},
    notices={"ready": _("The record is ready to download.")},
)
def export_record(job: Job, progress: Progress) -> JobResult:
    from atlaschart.fhir.export import write_archive
    from atlaschart.patients.access import patients_of_clinic

    actor = actor_of(job)
    name = archive_name(job)
    summary_resources = job.result.get("resources", 0) if isinstance(job.result, dict) else 0
    if not media.exists(name):
        patient = (
            patients_of_clinic(actor)
            .select_related("clinic")
            .filter(pk=int(job.payload["patient_id"]))
            .first()
        )
        if patient is None:
            raise JobFailed("patient_gone")
        progress.step("building", done=0, total=2)
        with tempfile.TemporaryFile() as archive:
            summary = write_archive(actor, patient, archive)
            progress.step("storing", done=1, total=2)
            archive.seek(0)
            media.save_once(name, File(archive, name="record.zip"))
        summary_resources = summary.resources
    _sweep(job.clinic.pk, keep=name)
    return JobResult(
        result_url=reverse("fhir_export:made", args=[job.pk]),
        result={"file": name, "bytes": media.size(name), "resources": summary_resources},
        notice="ready",
    )
