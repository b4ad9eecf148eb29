"""Background jobs of the imaging app (the ``jobs`` app finds this module): importing an upload
and packing a de-identified study export. Each handler is a thin wrapper around a plain
function (``importing.prepare`` / ``importing.store``, ``rendering.write_deidentified_zip``), so
the CLI, the DICOM network receiver and tests call the same code without a job.

Idempotent: the import's input is the upload set (its key and contents, ``uploads.input_sha256``)
and de-duplicates what is already stored, so a job delivered twice, or the same files uploaded
twice, store one study; the export's input is the study's stored instances, so exporting an
unchanged study again hands out the zip already packed.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.imaging import dicom
from atlaschart.imaging_studies import importing, rendering, storage, upload, uploads
from atlaschart.imaging_studies.access import get_study_for_user
from atlaschart.imaging_studies.models import Instance, Study
from atlaschart.jobs.models import Job, JobState
from atlaschart.jobs.registry import JobFailed, JobResult, Progress, job_handler
from atlaschart.lib import media
from atlaschart.lib.actor import Actor
from atlaschart.lib.policy import Kind, Permission

IMPORT_KIND = "imaging.import"
EXPORT_KIND = "imaging.export_deidentified"

NOTHING_IMPORTED = _("Nothing was imported.")
IMPORT_ERRORS: dict[str, Any] = {
    code: format_lazy("{} {}", message, NOTHING_IMPORTED)
    for code, message in upload.MESSAGES.items()
}
IMPORT_ERRORS["unreadable"] = format_lazy("{} {}", upload.UNREADABLE, NOTHING_IMPORTED)
IMPORT_ERRORS["upload-gone"] = _(
    "The upload is no longer on the server (it expired or was already imported). Please "
    "upload the files again."
)


def _limit_words(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """The limit named in a refusal, in the reader's language and the server's current limits."""
    return {"name": params.get("name", "?"), "limit": upload.limit_text(code)}


def import_input_sha256(upload_set: uploads.UploadSet, *, confirmed: bool) -> str:
    """One live import job per upload set and confirmation (a finish request sent twice, or a
    task delivered twice, runs one import)."""
    return hashlib.sha256(
        f"{upload_set.key}:{int(confirmed)}:{uploads.input_sha256(upload_set)}".encode()
    ).hexdigest()


@job_handler(
    IMPORT_KIND,
    needs=((Kind.IMAGING, Permission.WRITE),),
    title=_("Importing images"),
    steps={
        "reading": _("Reading and checking slice %(done)s of %(total)s"),
        "storing": _("Storing image %(done)s of %(total)s"),
        "volume": _("Building the CBCT volume"),
    },
    errors=IMPORT_ERRORS,
    notices={
        "imported": _("The images were imported."),
        "nothing-new": _("These images were already stored; nothing new was imported."),
    },
    param_words=_limit_words,
)
def import_upload(job: Job, progress: Progress) -> JobResult:
    """Payload: ``{"upload": key, "confirmed": bool}``. Reads the upload set from the media
    storage (published there by the web node that received it: ``uploads.publish``), stops at
    the identity confirmation page when the files name another patient (the set stays staged
    until a person confirms), else stores it and shows the study."""
    payload = job.payload or {}
    patient = job.patient
    if patient is None:
        raise JobFailed("upload-gone")
    upload_set = uploads.load_set(str(payload.get("upload", "")), patient_id=patient.pk)
    if upload_set is None or not upload_set.complete:
        raise JobFailed("upload-gone")
    confirmed = bool(payload.get("confirmed"))
    actor = Actor.system(job.requested_by, via="task")

    def step(code: str, done: int, total: int) -> None:
        progress.step(code, done, total)

    try:
        with (
            uploads.local_files(upload_set) as paths,
            tempfile.TemporaryDirectory(dir=storage.extract_root()) as work,
        ):
            prepared = importing.prepare(paths, Path(work), names=upload_set.names, step=step)
            if not confirmed:
                differences = importing.identity_differences(prepared, patient)
                if differences:
                    uploads.save_differences(upload_set, differences)
                    return JobResult(
                        result_url=reverse(
                            "imaging_studies:confirm_upload", args=[patient.pk, upload_set.key]
                        ),
                        result={"differences": differences},
                    )
            outcome = importing.store(
                actor, patient, prepared, identity_confirmed=confirmed, step=step
            )
    except importing.ImportRefused as refused:
        uploads.discard(upload_set)
        code = refused.code if refused.code in IMPORT_ERRORS else "unreadable"
        raise JobFailed(code, name=refused.name) from refused
    uploads.discard(upload_set)
    if len(outcome.study_ids) == 1:
        result_url = reverse("imaging_studies:study", args=[outcome.study_ids[0]])
    else:
        result_url = reverse("patients:chart", args=[patient.pk]) + "#section-imaging"
    return JobResult(
        result_url=result_url,
        result={
            "studies": outcome.studies,
            "instances": outcome.instances,
            "duplicates": outcome.duplicates,
            "study_ids": list(outcome.study_ids),
            "volume_series_ids": list(outcome.volume_series_ids),
            "skipped": [name for name, _why in outcome.skipped[:50]],
        },
        notice="imported" if outcome.instances else "nothing-new",
        notice_level="success" if outcome.instances else "info",
    )


# --- de-identified export ----------------------------------------------------------------------


def export_input_sha256(study: Study) -> str:
    """The study and exactly the instances it holds now: a study that gained images is packed
    again, an unchanged one is not."""
    shas = (
        Instance.objects.filter(series__study=study)
        .order_by("id")
        .values_list("blob__sha256", flat=True)
    )
    return hashlib.sha256(f"{study.pk}:{','.join(shas)}".encode()).hexdigest()


def export_name(job: Job) -> str:
    return storage.export_name(job.input_sha256)


@job_handler(
    EXPORT_KIND,
    needs=((Kind.IMAGING, Permission.EXPORT),),
    title=_("Packing a de-identified study"),
    steps={"packing": _("De-identifying image %(done)s of %(total)s")},
    errors={
        "study-gone": _("The study is no longer there; nothing was exported."),
        "expired": _(
            "The packed zip was removed a day after it was made (it holds the study's images). "
            "Export the study again for a new one."
        ),
        "unreadable": _("A stored image of the study could not be read; nothing was exported."),
    },
)
def export_deidentified(job: Job, progress: Progress) -> JobResult:
    """Payload: ``{"study": pk}``. Packs the zip to a file (one instance in memory at a time),
    logs the export once the file exists; the download is logged again by the download view."""
    actor = Actor.system(job.requested_by, via="task")
    try:
        study = get_study_for_user(
            actor, int((job.payload or {}).get("study", 0)), action=Action.EXPORT, log=False
        )
    except Exception as exc:  # RecordNotFound (another clinic's, or removed) and bad payloads
        raise JobFailed("study-gone") from exc
    name = export_name(job)

    def packed(done: int, total: int) -> None:
        progress.step("packing", done, total)

    try:
        # Packed on this worker's disk (a nameless file, gone if the worker dies), then stored
        # whole in the media storage: a reader sees the complete zip or none. A pack of the
        # same input already stored is the same zip, and stays.
        with tempfile.TemporaryFile(dir=storage.work_root()) as out:
            warnings = rendering.write_deidentified_zip(study, out, progress=packed)
            out.seek(0)
            media.save_once(name, File(out))
    except (OSError, ValueError, dicom.DicomError) as exc:
        raise JobFailed("unreadable") from exc
    detail = "de-identified DICOM zip" + (f"; warnings: {', '.join(warnings)}" if warnings else "")
    log_access(actor, Action.EXPORT, patient=study.patient, obj=study, detail=detail)
    return JobResult(
        result_url=reverse("imaging_studies:export_ready", args=[job.pk]),
        result={"study": study.pk, "warnings": warnings, "bytes": media.size(name)},
    )


#: How long a packed de-identified zip is kept after its job finished.
EXPORT_KEEP_S = 24 * 3600


def expire_export(job: Job) -> bool:
    """Remove a finished export's zip and mark its job failed with ``expired`` (a failed job is
    not live, so exporting the study again packs a new one instead of handing out this job,
    whose file is gone). False when another sweep or request did it first."""
    changed = Job.objects.filter(pk=job.pk, kind=EXPORT_KIND, state=JobState.DONE).update(
        state=JobState.FAILED, error_code="expired", error_params={}
    )
    if changed:
        # The row first: a download between the two sees a failed job (404), never a job whose
        # file is missing. Another live job of the same input cannot exist meanwhile.
        media.delete(export_name(job))
    return bool(changed)


def expire_exports(max_age_s: int = EXPORT_KEEP_S, *, now: datetime | None = None) -> int:
    """Expire every export packed more than ``max_age_s`` ago; returns how many. Run by the
    staged-upload sweep (Celery beat, ``atlaschart imaging sweep-uploads``)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=max_age_s)
    old = Job.objects.filter(kind=EXPORT_KIND, state=JobState.DONE, finished_at__lt=cutoff)
    return sum(expire_export(job) for job in old.only("pk", "input_sha256"))
