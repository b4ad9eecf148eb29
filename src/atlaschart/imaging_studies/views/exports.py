"""The de-identified study export: the job that packs the zip, its ready page and the download."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from atlaschart.audit.models import Action
from atlaschart.imaging_studies import jobs as imaging_jobs
from atlaschart.imaging_studies import services
from atlaschart.imaging_studies.access import get_study_for_user
from atlaschart.imaging_studies.models import Study
from atlaschart.imaging_studies.views._common import IMAGING_EXPORT
from atlaschart.jobs.access import get_job_for_user
from atlaschart.jobs.models import Job, JobState
from atlaschart.jobs.services import submit
from atlaschart.jobs.views import progress_url
from atlaschart.lib import media
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest


@require_POST
@IMAGING_EXPORT
def export_study(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    """Start (or find) the background job that packs the de-identified zip; its progress page
    leads to the download page. Fetched unlogged: the job logs the export once the zip exists,
    and the download is logged when it is fetched."""
    study = get_study_for_user(request, study_id, action=Action.EXPORT, log=False)

    def start() -> Job:
        return submit(
            Actor.of(request),
            imaging_jobs.EXPORT_KIND,
            patient=study.patient,
            input_sha256=imaging_jobs.export_input_sha256(study),
            payload={
                "study": study.pk,
                "back_url": reverse("imaging_studies:study", args=[study.pk]),
            },
        )

    job = start()
    if job.state == JobState.DONE and not media.exists(imaging_jobs.export_name(job)):
        # Its zip is gone (removed by hand, or a sweep raced this request): pack a new one.
        imaging_jobs.expire_export(job)
        job = start()
    return redirect(progress_url(job))


def _export_job(
    request: AuthenticatedHttpRequest, job_id: int, *, detail: str = ""
) -> tuple[Job, Study]:
    """The finished export job and its study (logged as viewed with ``detail``, if given)."""
    job = get_job_for_user(request, job_id, log=False)
    if job.kind != imaging_jobs.EXPORT_KIND or job.state != JobState.DONE:
        raise Http404
    study_id = int((job.result or {}).get("study") or 0)
    study = get_study_for_user(request, study_id, detail=detail, log=bool(detail))
    return job, study


@IMAGING_EXPORT
def export_ready(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job, study = _export_job(request, job_id, detail="de-identified export")
    return render(
        request,
        "imaging_studies/export_ready.html",
        {
            "job": job,
            "study": study,
            "patient": study.patient,
            "size_bytes": (job.result or {}).get("bytes", 0),
            "warnings": (job.result or {}).get("warnings", []),
        },
    )


@IMAGING_EXPORT
def export_download(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponseBase:
    """The packed zip, streamed from local disk or a signed-URL redirect to object storage
    (lib/media.py); each download is an access-log row of its own."""
    job, study = _export_job(request, job_id)
    name = imaging_jobs.export_name(job)
    if not media.exists(name):
        raise Http404
    services.log_export_download(Actor.of(request), study)
    response = media.serve(
        name, content_type="application/zip", download_name=f"study-{study.pk}-deidentified.zip"
    )
    response["X-Deidentification-Warnings"] = ",".join((job.result or {}).get("warnings", []))
    return response
