"""The demo's links with the world outside the clinic, made through the same services as the
pages: a partner system's API token (and one revoked), the clinician's calendar address, and
the complete patient's whole record as FHIR (a finished export job with its reason).

A token's and a feed's secret is shown once by the service and stored only as a digest; the
demo hands it back in ``Report.shown_once`` so ``atlaschart demo`` can print it beside the
sign-ins (and keeps it in ``var/demo_credentials.json`` for a second run).
"""

from __future__ import annotations

from typing import Any

from atlaschart.clinics.demo_stories.steps import Report, Staff, run_step
from atlaschart.patients.models import Patient

#: The live partner token and the revoked one (name, purpose), in the demo clinic's language.
PARTNER_TOKENS = {
    "ko": {
        "live": (
            "지역 재활 등록 연구",
            "연구 협약에 따라 경추 재활 환자의 경과를 모으는 연구 기관의 읽기 전용 연결",
        ),
        "revoked": ("이전 EMR 이관", "이전 EMR에서 기록을 옮길 때 쓴 연결 (이관이 끝나 폐기함)"),
    },
    "en": {
        "live": (
            "Regional rehab registry",
            "Read-only link of a research registry of cervical rehab outcomes",
        ),
        "revoked": ("Old EMR migration", "Moving records from the old EMR (finished; revoked)"),
    },
}

#: Why the complete patient's whole record was exported (the reason the access log keeps).
EXPORT_REASONS = {
    "ko": "환자 본인이 진료 기록 사본을 요청함",
    "en": "The patient asked for a copy of their record",
}

#: Keys of ``Report.shown_once`` (and of the demo's credentials file, with the clinic's slug).
API_TOKEN = "api-token"  # noqa: S105 (a key naming what the secret opens, not a secret)
CALENDAR_FEED = "calendar-feed"


def partner_tokens(report: Report, staff: Staff) -> None:
    """The clinic admin links a partner system (a live token) and revokes an older one, so the
    token page has both; the live token's secret goes to ``report.shown_once``."""
    from atlaschart.fhir import tokens

    names = PARTNER_TOKENS[staff.language]
    admin = staff.actor(staff.admin)

    def retired() -> Any:
        made = tokens.make_token(admin, *names["revoked"])
        return tokens.revoke_token(admin, made.token.pk)

    run_step(report, "revoked API token", retired)
    made = run_step(report, "API token", lambda: tokens.make_token(admin, *names["live"]))
    if made is not None:
        report.shown_once[API_TOKEN] = made.secret


def calendar_feed(report: Report, staff: Staff) -> None:
    """The clinician subscribes their phone's calendar to their own appointments."""
    from atlaschart.calendarfeed import services as feed_services

    made = run_step(
        report, "calendar feed", lambda: feed_services.make_feed(staff.actor(staff.clinician))
    )
    if made is not None:
        report.shown_once[CALENDAR_FEED] = made.secret


def record_export(report: Report, staff: Staff, patient: Patient) -> None:
    """The whole record as FHIR, by its background job (at once: the demo has no worker), with
    the reason the chart's form asks for: the job's page offers the archive."""
    from atlaschart.fhir.jobs import EXPORT_KIND
    from atlaschart.jobs.services import input_sha256, submit

    reason = EXPORT_REASONS[staff.language]
    actor = staff.actor(staff.clinician)

    def export() -> Any:
        job = submit(
            actor,
            EXPORT_KIND,
            patient=patient,
            input_sha256=input_sha256(patient.pk, staff.clinician.pk, reason, "demo"),
            payload={"patient_id": patient.pk, "reason": reason},
        )
        if job.state != "done":
            raise RuntimeError(f"FHIR export job {job.state}: {job.error_code}")
        return job

    run_step(report, "FHIR export", export)
