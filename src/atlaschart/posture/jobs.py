"""The posture app's background job: analyse an uploaded photo (docs/background.md).

The request stored the photo in ``posture/staged/`` and submitted the job
(``services.stage_shot``); here the photo is decoded, the pose model finds the landmarks (22
passes, about 1 s), and the shot with its first landmark revision is written in one transaction
(``services.add_shot``). A photo that looks like the other view fails the job with a message and
leaves nothing: the staged copy is removed, no shot is written.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atlaschart.imaging.photos import PhotoError, load_photo
from atlaschart.jobs.models import Job
from atlaschart.jobs.registry import JobFailed, JobResult, Progress, job_handler
from atlaschart.jobs.services import actor_of
from atlaschart.lib.policy import Kind, Permission
from atlaschart.posture import services
from atlaschart.posture.access import sessions_of_clinic, shots_of_clinic
from atlaschart.posture.models import View

logger = logging.getLogger(__name__)


def _error_words(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """A stored view value ("posterior") becomes its label in the reader's language."""
    view = params.get("view")
    if view in View.values:
        params["view"] = View(view).label
    return params


@job_handler(
    services.ANALYSE_KIND,
    title=_("Analysing a posture photo"),
    needs=((Kind.POSTURE, Permission.WRITE),),
    steps={
        "reading": _("Reading the photo"),
        "detecting": _("Finding the body landmarks"),
        "saving": _("Saving the photo and the landmarks"),
    },
    errors={
        "looks_posterior": _(
            "This looks like a back view (the face is not seen): choose “%(view)s” and upload "
            "the photo again. Nothing was saved."
        ),
        "looks_anterior": _(
            "This looks like a front view (the face is seen): choose “%(view)s” and upload the "
            "photo again. Nothing was saved."
        ),
        "unreadable": _(
            "The photo could not be read (the file may be damaged). Take or choose it again."
        ),
        "session_gone": _(
            "The posture session of this photo is no longer there. Nothing was saved."
        ),
    },
    notices={
        "found": _("The photo was saved and the landmarks were found."),
        "relabelled": _(
            "The photo was saved. The pose model had the patient's left and right swapped for "
            "this view (the face showed which way the patient faces); they were re-labelled. "
            "Check the points."
        ),
        "not_installed": _(
            "The photo was saved. The pose model is not installed: place the points by hand."
        ),
        "no_person": _(
            "The photo was saved, but no person was found on it: place the points by hand."
        ),
    },
    param_words=_error_words,
)
def analyse_shot(job: Job, progress: Progress) -> JobResult:
    actor = actor_of(job)
    payload = job.payload
    view, staged = str(payload["view"]), str(payload["staged_name"])
    # Not logged here: the shot's creation is (services.add_shot), as the upload was.
    session = sessions_of_clinic(actor).filter(pk=int(payload["session_id"])).first()
    if session is None:  # removed meanwhile, or no longer this clinic's
        _discard(staged)
        raise JobFailed("session_gone")
    photo_sha256 = str(payload["photo_sha256"])
    # Idempotent by the photo: a run after an earlier one wrote the shot (its worker died before
    # marking the job done) finds that shot and writes no second one.
    earlier = (
        shots_of_clinic(actor)
        .filter(session_id=session.pk, view=view, sha256=photo_sha256)
        .order_by("id")
        .first()
    )
    if earlier is not None:
        _discard(staged)
        return _result(earlier)
    progress.step("reading", done=0, total=3)
    try:
        with default_storage.open(staged, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise JobFailed("unreadable") from exc
    if hashlib.sha256(data).hexdigest() != photo_sha256:
        _discard(staged)
        raise JobFailed("unreadable")
    try:
        photo = load_photo(data)
    except PhotoError as exc:
        _discard(staged)
        raise JobFailed("unreadable") from exc
    progress.step("detecting", done=1, total=3)
    try:
        detected = services.detect(photo, view)
    except services.ViewContradiction as exc:
        _discard(staged)
        code = "looks_posterior" if exc.suggested == View.POSTERIOR else "looks_anterior"
        raise JobFailed(code, view=exc.suggested) from exc
    progress.step("saving", done=2, total=3)
    try:
        shot = services.add_shot(actor, session, view, data, photo, detected=detected)
    finally:
        _discard(staged)  # the shot has its own copy, or nothing was written
    return _result(shot)


def _result(shot: Any) -> JobResult:
    if shot.detection_note:
        notice = "not_installed" if "not installed" in shot.detection_note else "no_person"
        level = "warning"
    elif services.RELABELLED_MARK in shot.detector:
        notice, level = "relabelled", "warning"
    else:
        notice, level = "found", "success"
    return JobResult(
        result_url=reverse("posture:shot", args=[shot.pk]),
        result={"shot_id": shot.pk},
        notice=notice,
        notice_level=level,
    )


def _discard(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("staged posture photo %s could not be removed", name)
