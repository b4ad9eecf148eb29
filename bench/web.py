"""Benchmark: patient search and chart page latency with 20,000 patients, SQLite and PostgreSQL.

Through the real stack (Django test client: URL routing, middleware, sessions, access log writes,
templates). Baseline, measured in the same run: the bare ORM query behind each page, so the ratio
shows what the web stack adds. Writes docs/benchmarks/web.md.

    .venv/bin/python bench/web.py [--patients 20000] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "atlaschart.web.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DEBUG = True  # to count queries
    call_command("migrate", verbosity=0)

    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic
    from atlaschart.patients.models import Patient

    clinic = Clinic.objects.create(name="Bench", slug=f"bench-{os.getpid()}")
    other = Clinic.objects.create(name="Other", slug=f"other-{os.getpid()}")
    user = User.objects.create(username=f"bench{os.getpid()}", clinic=clinic, role=Role.CLINICIAN)
    family = "김이박최정강조윤장임한오서신권황안송류홍"
    given = [
        "민준",
        "서연",
        "지훈",
        "수아",
        "예준",
        "하은",
        "도윤",
        "지우",
        "서준",
        "하린",
        "지민",
        "승현",
    ]
    batch = []
    for i in range(args.patients):
        name = (
            family[i % len(family)]
            + given[(i // len(family)) % len(given)]
            + ("" if i < 400 else str(i % 97))
        )
        p = Patient(
            clinic=clinic if i % 10 else other,
            chart_number=f"{i:06d}",
            name=name,
            name_latin=f"Patient {i}",
            date_of_birth=date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
            phone=f"010-{i % 10000:04d}-{(i * 7) % 10000:04d}",
        )
        p.search_text = p.build_search_text()
        batch.append(p)
    Patient.objects.bulk_create(batch, batch_size=2000)
    target = Patient.objects.filter(clinic=clinic).order_by("id")[137]

    client = Client()
    client.force_login(user)
    queries = ["민준", "kim", "010-12", "1975-04", "박지", "000137", "최 19"]

    def timed(fn, n: int) -> list[float]:
        fn()  # warm
        out = []
        for k in range(n):
            t0 = time.perf_counter()
            fn(k)
            out.append((time.perf_counter() - t0) * 1000)
        return out

    def chart(k: int = 0) -> None:
        assert client.get(f"/patients/{target.pk}/").status_code == 200

    def search(k: int = 0) -> None:
        assert client.get("/patients/", {"q": queries[k % len(queries)]}).status_code == 200

    def bare_chart(k: int = 0) -> None:
        Patient.objects.select_related("clinic").filter(clinic_id=clinic.pk, pk=target.pk).first()

    def bare_search(k: int = 0) -> None:
        list(
            Patient.objects.filter(
                clinic_id=clinic.pk,
                archived_at__isnull=True,
                search_text__contains=queries[k % len(queries)].lower(),
            ).order_by("name", "id")[:50]
        )

    def query_count(fn) -> int:
        reset_queries()
        fn()
        return len(connection.queries)

    result = {
        "backend": connection.vendor,
        "patients": args.patients,
        "chart_ms": timed(chart, args.requests),
        "search_ms": timed(search, args.requests),
        "bare_chart_ms": timed(bare_chart, args.requests),
        "bare_search_ms": timed(bare_search, args.requests),
        "chart_queries": query_count(chart),
        "search_queries": query_count(search),
    }
    print("RESULT " + json.dumps(result))


def run_backend(url: str, args: argparse.Namespace) -> dict | None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ATLASCHART_VAR_DIR": tempfile.mkdtemp(prefix="bench-var-"),
    }
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--patients",
            str(args.patients),
            "--requests",
            str(args.requests),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    rows = []
    sqlite_dir = tempfile.mkdtemp(prefix="bench-sqlite-")
    backends = [("SQLite", f"sqlite:///{sqlite_dir}/bench.sqlite3")]
    pg_db = f"atlaschart_bench_{os.getpid()}"
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", pg_db], check=True)
        backends.append(("PostgreSQL", f"postgres://postgres@127.0.0.1:5432/{pg_db}"))
    except (OSError, subprocess.CalledProcessError):
        print("PostgreSQL not available: skipped", file=sys.stderr)
    try:
        for label, url in backends:
            print(f"running {label} ...", file=sys.stderr, flush=True)
            result = run_backend(url, args)
            if result:
                rows.append((label, result))
    finally:
        if len(backends) > 1:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", pg_db], check=False
            )

    lines = [
        "## Web: patient search and chart page (`bench/web.py`)",
        "",
        f"{args.patients:,} patients (90% in the user's clinic), {args.requests} requests per "
        "page after one warm-up, Django test client through the full stack (middleware, session, "
        "access-log writes, templates). "
        "Baseline: the bare ORM query behind the page, in the same run. Machine: 2 cores.",
        "",
        "| database | page | p50 ms | p95 ms | baseline p50 ms | page ÷ baseline (p50) "
        "| queries per page | target p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in rows:
        for page, key, target in (("chart", "chart", 50), ("search", "search", 100)):
            p50, p95 = percentile(r[f"{key}_ms"], 50), percentile(r[f"{key}_ms"], 95)
            base = percentile(r[f"bare_{key}_ms"], 50)
            verdict = "met" if p95 <= target else "MISSED"
            lines.append(
                f"| {label} | {page} | {p50:.1f} | {p95:.1f} | {base:.2f} | {p50 / base:.0f}× | "
                f"{r[f'{key}_queries']} | ≤ {target} ms: {verdict} |"
            )
    lines += [
        "",
        "Search queries cycle through Hangul, Latin, phone, date and chart-number words.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "docs" / "benchmarks" / "web.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
