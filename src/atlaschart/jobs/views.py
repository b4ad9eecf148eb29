"""The progress page of a job and its JSON status (what static/jobs/progress.js polls)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from atlaschart.jobs.access import get_job_for_user, require_may_see
from atlaschart.jobs.models import Job, JobState
from atlaschart.jobs.registry import Handler, get_handler, unknown_handler
from atlaschart.lib.http import AuthenticatedHttpRequest

#: Logged once per browser session when the progress page is opened (it shows the patient).
PROGRESS_DETAIL = "job progress"
_NOTICED = "jobs_noticed"
_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "info": messages.INFO}


def _signed_in(request: AuthenticatedHttpRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if not request.user.is_authenticated or request.user.clinic_id is None:
        raise PermissionDenied


def _safe_url(url: str) -> str:
    return url if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) else ""


def status_of(job: Job) -> dict[str, Any]:
    """The job's status as progress.js reads it, words in the active language."""
    return {
        "state": job.state,
        "percent": job.percent,
        "message": job.message,
        "result_url": _safe_url(job.result_url) if job.state == JobState.DONE else "",
        "error": job.error_message,
    }


def _handler_of(job: Job) -> Handler:
    return get_handler(job.kind) or unknown_handler(job.kind)


def _notice_once(
    request: AuthenticatedHttpRequest, job: Job, *, queue: bool = True
) -> tuple[str, str] | None:
    """The finished job's notice (e.g. "the landmarks were found") as (words, level), once per
    browser session, whichever of the page or the status saw it finish first. With ``queue`` it
    is put on the result page as a message; without, the caller shows it itself."""
    notice = (job.result or {}).get("notice")
    if not isinstance(notice, dict):
        return None
    noticed: list[int] = request.session.get(_NOTICED, [])
    if job.pk in noticed:
        return None
    words = _handler_of(job).notice_words(str(notice.get("code", "")))
    level = str(notice.get("level"))
    level = level if level in _LEVELS else "info"
    if words and queue:
        messages.add_message(request, _LEVELS[level], words)
    request.session[_NOTICED] = [*noticed[-200:], job.pk]
    return (words, level) if words else None


@require_GET
def progress(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    """How far the job is; once done, its result page. Without JavaScript the page reloads
    itself (a refresh in <noscript>) until the job is finished."""
    _signed_in(request)
    job = get_job_for_user(request, job_id, log=False)
    require_may_see(request, job)  # before the log: a refused look writes only its `denied` row
    get_job_for_user(request, job_id, detail=PROGRESS_DETAIL, once_per_session=True)
    result_url = _safe_url(job.result_url)
    if job.state == JobState.DONE and result_url:
        if not _handler_of(job).result_is_download:  # a file is not a page that shows it
            _notice_once(request, job)
        return redirect(result_url)
    back_url = _safe_url(str((job.payload or {}).get("back_url", "")))
    return render(
        request,
        "jobs/progress.html",
        {"job": job, "patient": job.patient, "back_url": back_url},
    )


@require_GET
def status(request: AuthenticatedHttpRequest, job_id: int) -> JsonResponse:
    """The job's state as JSON (not logged: it shows no patient data, and is polled)."""
    _signed_in(request)
    job = get_job_for_user(request, job_id, log=False)
    require_may_see(request, job)
    body = status_of(job)
    if job.state == JobState.DONE:
        download = _handler_of(job).result_is_download
        notice = _notice_once(request, job, queue=not download)
        if download and notice:
            body["notice"], body["notice_level"] = notice
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


def progress_url(job: Job) -> str:
    return reverse("jobs:progress", args=[job.pk])
