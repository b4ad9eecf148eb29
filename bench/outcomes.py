"""Benchmark: the clinic outcomes query at 10,000 patients and 100,000 scores on PostgreSQL.

Generates, in bulk, one clinic with 10,000 patients, each with an intake body map, 70 % with a
follow-up body map, and 100,000 scorable questionnaire responses (NPRS and NDI, five of each per
patient over 12 weeks; every tenth patient has only the baseline). Then times, in the same run:

* ours: ``atlaschart.outcomes.services.clinic_outcomes`` for the whole clinic (every outcome
  questionnaire, the local/distant regions), as the page and ``atlaschart outcomes`` run it;
* baseline: the bare aggregate query (``COUNT``, ``AVG`` of the scores grouped by questionnaire,
  for the clinic), the least the database must do to read every score once.

Target: ours < 1 s (median of the timed runs). Run against a scratch database (dropped and
re-created)::

    .venv/bin/python bench/outcomes.py [--db postgres://postgres@127.0.0.1:5432/atlaschart_bench_outcomes]

Writes docs/benchmarks/outcomes.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(patients: int, scores: int) -> int:
    from django.utils import timezone

    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic
    from atlaschart.intake.models import (
        FollowUp,
        Intake,
        IntakeLink,
        LocalRegions,
        QuestionnaireResponse,
    )
    from atlaschart.patients.models import Patient

    clinic = Clinic.objects.create(name="Bench", slug="bench")
    User.objects.create(username="bench", clinic=clinic, role=Role.CLINIC_ADMIN)
    Patient.objects.bulk_create(
        Patient(
            clinic=clinic, chart_number=f"{i:06d}", name=f"환자{i}", date_of_birth=date(1980, 1, 1)
        )
        for i in range(patients)
    )
    ids = list(Patient.objects.filter(clinic=clinic).order_by("id").values_list("id", flat=True))
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.get_current_timezone())
    links = []
    for i, pid in enumerate(ids):
        links.append(
            IntakeLink(
                clinic=clinic,
                patient_id=pid,
                token_hash=secrets.token_hex(32),
                expires_at=start + timedelta(days=30),
                kind="intake",
            )
        )
        if i % 10 < 7:
            links.append(
                IntakeLink(
                    clinic=clinic,
                    patient_id=pid,
                    token_hash=secrets.token_hex(32),
                    expires_at=start + timedelta(days=60),
                    kind="followup",
                )
            )
    IntakeLink.objects.bulk_create(links, batch_size=5000)
    intakes, followups = [], []
    for link in IntakeLink.objects.filter(clinic=clinic).values_list("id", "patient_id", "kind"):
        link_id, pid, kind = link
        when = start + timedelta(days=pid % 60, weeks=0 if kind == "intake" else 6)
        pain = {"pain_neck": str(3 + pid % 7), "pain_low_back_right": str(pid % 5)}
        if kind == "followup":
            pain = {
                "pain_neck": str(max(0, 3 + pid % 7 - pid % 4)),
                "pain_low_back_right": str(pid % 3),
            }
        model = Intake if kind == "intake" else FollowUp
        (intakes if kind == "intake" else followups).append(
            model(
                clinic=clinic,
                patient_id=pid,
                link_id=link_id,
                submitted_at=when,
                language="ko",
                answers=pain,
            )
        )
    Intake.objects.bulk_create(intakes, batch_size=5000)
    FollowUp.objects.bulk_create(followups, batch_size=5000)
    LocalRegions.objects.bulk_create(
        LocalRegions(clinic=clinic, patient_id=pid, regions=["neck"]) for pid in ids
    )
    # Every tenth patient is lost to follow-up: one NPRS and one NDI baseline only. The others
    # share the remaining scores (baseline, then every 3 weeks), NPRS and NDI alternating.
    lost = [pid for pid in ids if pid % 10 == 0]
    followed = [pid for pid in ids if pid % 10 != 0]
    per_patient = max(2, -(-(scores - 2 * len(lost)) // max(1, len(followed))))  # ceiling
    rows = []
    for pid in ids:
        for k in range(2 if pid % 10 == 0 else per_patient):
            instrument = "nprs" if k % 2 == 0 else "ndi"
            visit = k // 2
            when = start + timedelta(days=pid % 60, weeks=3 * visit, minutes=k)
            base = 3 + pid % 7 if instrument == "nprs" else 10 + pid % 30
            value = max(0, base - visit * (pid % 3))
            rows.append(
                QuestionnaireResponse(
                    clinic=clinic,
                    patient_id=pid,
                    recorded_at=when,
                    instrument=instrument,
                    version="1",
                    language="ko",
                    answers={},
                    scorable=True,
                    score=float(value),
                    answered=1,
                    algorithm=f"instrument.{instrument}@1",
                )
            )
    QuestionnaireResponse.objects.bulk_create(rows, batch_size=10000)
    return clinic.pk


def timed(run, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return times


def row(label: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"| {label} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db", default="postgres://postgres@127.0.0.1:5432/atlaschart_bench_outcomes"
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--scores", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    recreate(args.db)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("ATLASCHART_VAR_DIR", str(ROOT / "var" / "bench-outcomes"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "atlaschart.web.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    clinic_id = generate(args.patients, args.scores)
    generated_s = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from atlaschart.accounts.models import User
    from atlaschart.intake.models import QuestionnaireResponse
    from atlaschart.lib.actor import Actor
    from atlaschart.outcomes.services import Filters, clinic_outcomes

    actor = Actor.system(User.objects.get(username="bench"), via="cli")
    n_scores = QuestionnaireResponse.objects.filter(clinic_id=clinic_id).count()
    table = QuestionnaireResponse._meta.db_table

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT instrument, COUNT(*), AVG(score) FROM {table} "  # noqa: S608 (our table name)
                "WHERE clinic_id = %s AND scorable GROUP BY instrument",
                [clinic_id],
            )
            cursor.fetchall()

    result = clinic_outcomes(actor, Filters())  # warm-up, and the figures to print
    ours = timed(lambda: clinic_outcomes(actor, Filters()), args.repeat)
    baseline = timed(bare, args.repeat)
    one = timed(lambda: clinic_outcomes(actor, Filters(instrument="nprs")), args.repeat)
    median = statistics.median(ours)
    nprs = result.instruments["nprs"]
    lines = [
        "## Clinic outcomes (`bench/outcomes.py`)",
        "",
        f"PostgreSQL {connection.pg_version // 10000}, {args.patients:,} patients, "
        f"{n_scores:,} scorable "
        f"questionnaire responses (NPRS and NDI), {args.patients:,} intake and "
        f"{int(args.patients * 0.7):,} follow-up body maps, "
        f"generated in bulk in {generated_s:.0f} s. "
        f"Median of {args.repeat} runs after one warm-up; Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} during the run "
        "(other work on the machine; figures are upper bounds).",
        "",
        "| query | median ms | min ms | max ms |",
        "|---|---|---|---|",
        row("ours: every outcome questionnaire and the regions", ours),
        row("ours: NPRS only (`--instrument nprs`), with the regions", one),
        row("baseline: bare `COUNT`/`AVG` grouped by questionnaire", baseline),
        "",
        f"Ours ÷ baseline (median): {median / statistics.median(baseline):.0f}×. "
        f"Target < 1 s: {'met' if median < 1 else 'NOT met'}. "
        f"Figures of the run: NPRS baseline {nprs.baseline_n}, follow-up {nprs.followup_n}, "
        f"lost {nprs.lost_n}; local regions compared {result.local.n}, "
        f"better {result.local.improved_n}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "docs" / "benchmarks" / "outcomes.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
