"""The reports app's background job: make a patient's report as PDF (docs/background.md).

The request checked the language and submitted the job (``services.request_patient_report``);
here the record is gathered through the doors and drawn (``services.make_patient_report``, logged
as an export), and the PDF is kept in the private media storage under a name fixed by the job, so
a second run writes the same file, never a second one. It is handed out only by
``views.report_download``, through the job's door, logged.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atlaschart.jobs.models import Job
from atlaschart.jobs.registry import JobFailed, JobResult, Progress, job_handler
from atlaschart.jobs.services import actor_of
from atlaschart.lib import media
from atlaschart.lib.access import RecordNotFound
from atlaschart.reports import services


def report_file_name(job: Job) -> str:
    return f"reports/{job.pk}-{job.input_sha256[:16]}.pdf"


@job_handler(
    services.REPORT_KIND,
    title=_("Making the patient report"),
    result_is_download=True,
    needs=services.REPORT_NEEDS,
    steps={
        "drawing": _("Gathering the record and drawing the report"),
        "storing": _("Keeping the report for download"),
    },
    errors={
        "bad_language": _("The report language must be ko or en."),
        "patient_gone": _("The patient of this report is no longer there."),
    },
    notices={"ready": _("The report is ready.")},
)
def make_report(job: Job, progress: Progress) -> JobResult:
    actor = actor_of(job)
    name = report_file_name(job)
    if not media.exists(name):
        progress.step("drawing", done=0, total=2)
        try:
            pdf = services.make_patient_report(
                actor, int(job.payload["patient_id"]), job.payload.get("language")
            )
        except services.ReportError as exc:
            raise JobFailed("bad_language") from exc
        except RecordNotFound as exc:
            raise JobFailed("patient_gone") from exc
        progress.step("storing", done=1, total=2)
        media.save_once(name, pdf)
    return JobResult(
        result_url=reverse("reports:download", args=[job.pk]),
        result={
            "file": name,
            "language": job.payload.get("language", ""),
            "bytes": media.size(name),
        },
        notice="ready",
    )
