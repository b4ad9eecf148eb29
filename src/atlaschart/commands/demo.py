"""``atlaschart demo``: load the demo clinics once and print the sign-in details."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from atlaschart.commands._django import setup_django

# Where `make run` serves the demo (the addresses printed below start with it).
SITE = "http://127.0.0.1:8000"


def run(args: argparse.Namespace) -> int:
    setup_django()
    from atlaschart.clinics.demo import load_demo

    started = time.monotonic()
    result = load_demo()
    seconds = time.monotonic() - started
    if result.created:
        print(f"Demo clinics loaded in {seconds:.1f} s.")
        if result.made:
            print("  " + ", ".join(f"{what}: {n}" for what, n in sorted(result.made.items())))
        for line in result.skipped:
            print(f"  skipped {line}", file=sys.stderr)
    else:
        print("Demo clinic already loaded; nothing changed.")
    print(f"Sign in at {SITE}/ with one of these demo accounts:")
    for clinic, username, password, role in result.credentials:
        print(f"  user {username:<16} password {password:<14} {role} · {clinic}")
    for clinic, secret in result.api_tokens:
        print(
            "Partner API (FHIR R4, read only; docs/api.md), a token of "
            f"{clinic} (Settings → Partner systems):"
        )
        print(f"  token {secret}")
        print(f'  try:  curl -H "Authorization: Bearer {secret}" {SITE}/fhir/Patient')
    for username, path in result.calendar_feeds:
        print(f"Calendar feed of {username} (subscribe to it in a calendar app):")
        print(f"  {SITE}{path}")
    _print_finished_jobs()
    _print_ae_titles()
    return 0


def _print_finished_jobs() -> None:
    """The demo's finished report and record-export jobs: a job's page hands out its file (the
    chart's buttons make new ones)."""
    from django.urls import reverse

    from atlaschart.clinics.demo import CLINICS
    from atlaschart.fhir.jobs import EXPORT_KIND
    from atlaschart.jobs.models import Job, JobState
    from atlaschart.reports.services import REPORT_KIND

    what = {REPORT_KIND: "PDF report", EXPORT_KIND: "whole record as FHIR (zip)"}
    for slug, _name, *_rest, prefix in CLINICS:
        jobs = Job.objects.filter(
            clinic__slug=slug, kind__in=what, state=JobState.DONE, patient__isnull=False
        ).select_related("patient")
        lines = [
            f"  {SITE}{reverse('jobs:progress', args=[job.pk])}  {what[job.kind]} · "
            f"{job.patient.name} ({job.patient.chart_number})"
            for job in jobs.order_by("id")
            if job.patient is not None
        ]
        if lines:
            print(f"Finished jobs (sign in as {prefix}-clinician; each page gives its file):")
            print("\n".join(lines))


def _print_ae_titles() -> None:
    """Where the demo clinics' imaging machines would send (docs/dicom_receiver.md)."""
    from atlaschart.clinics.demo import CLINICS
    from atlaschart.clinics.models import Clinic
    from atlaschart.dicom_inbox.receiver import DEFAULT_PORT

    names = {slug: name.split(" (")[0] for slug, name, *_rest in CLINICS}
    clinics = Clinic.objects.filter(slug__in=names).order_by("slug")
    print(
        f"DICOM receiver (`atlaschart dicom listen`, port {DEFAULT_PORT}; "
        "`make run` starts it with DICOM_LISTEN=1): send studies to these AE titles:"
    )
    for clinic in clinics:
        print(f"  AE title {clinic.ae_title:<16} port {DEFAULT_PORT} · {names[clinic.slug]}")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="load the demo clinics (once) and print their sign-in details",
        description="Create two demo clinics with a user per role and about 20 patients, six "
        "of them at different stages of care (intake, screen, exams, posture, radiograph, "
        "visits, follow-ups, today's appointments), finished background jobs (posture photos, "
        "a PDF report, a whole-record FHIR export), a clinician's calendar feed and a partner "
        "API token, printed here with a curl example. "
        "Running it again changes nothing and prints the same sign-in details.",
    )
    parser.set_defaults(handler=run)
