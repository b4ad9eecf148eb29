"""Benchmark: the access log page at 10 million rows and patient search at 200,000 patients
(PostgreSQL), the old query shapes against the new ones in the same run and the same database.

    .venv/bin/python bench/access_log_scale.py [--rows 10000000] [--patients 200000]
        [--repeats 20] [--base-url postgres://postgres@127.0.0.1:5432] [--keep]

What it does, in a THROWAWAY database (``atlaschart_bench_scale``, dropped and made anew; the
script refuses any other name):

1. ``migrate``, then drops the secondary indexes of the log and patient tables (kept: primary
   keys and unique constraints), so the fill does not maintain them row by row.
2. Fills patients and the log with ``INSERT ... SELECT ... FROM generate_series`` in chunks, with
   ``session_replication_role = replica``: that session skips triggers and foreign-key checks.
   This is legitimate only here: the append-only triggers refuse UPDATE, DELETE and TRUNCATE, not
   INSERT, so they would not stop the fill anyway, and the foreign keys are correct by
   construction (ids come from the rows just made); skipping the per-row checks is what makes ten
   million rows take minutes. The hash columns are filled with 64 hex digits of the right shape
   (md5 pairs), NOT a valid chain: ``atlaschart audit verify`` would (rightly) call this log
   broken. The chain cannot be computed set-wise (each hash needs the one before), and the page
   does not read it. ``search_text`` is built in SQL exactly as ``Patient.build_search_text``
   does; the script checks a sample against the Python.
3. Before: the indexes of migration ``audit.0005`` / ``patients.0002`` (the foreign keys', the
   time index, the old (clinic, -at) and (patient, -at) indexes, search_text's btree), VACUUM
   ANALYZE, then the old page (``Paginator``: an exact COUNT(*) and OFFSET, name by ``icontains``)
   and the old search (``LIKE '%word%'`` for every word).
4. After: the indexes of ``audit.0006`` and ``patients.0003``, ANALYZE, then the page and search
   through the app's own functions (``atlaschart.audit.views.log_page`` / ``filtered_entries``,
   ``atlaschart.patients.access._matching``), with the index each plan uses (EXPLAIN).

Writes docs/benchmarks/access_log_scale.md. Not part of ``make test``: the fill alone takes
minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "atlaschart_bench_scale"
CHUNK_ROWS = 1_000_000
OLD_PAGE_SIZE = 100

# Korean family names with their share of the population (Statistics Korea, 2015 census:
# 김 21.5 %, 이 14.7 %, 박 8.4 %, ...), the rest spread over less common ones; two-syllable
# given names from common syllables. Romanised beside them, so Latin search has real words.
FAMILIES = [
    ("김", "kim", 215),
    ("이", "lee", 147),
    ("박", "park", 84),
    ("최", "choi", 47),
    ("정", "jung", 44),
    ("강", "kang", 23),
    ("조", "cho", 21),
    ("윤", "yoon", 20),
    ("장", "jang", 19),
    ("임", "lim", 17),
    ("한", "han", 15),
    ("오", "oh", 15),
    ("서", "seo", 15),
    ("신", "shin", 14),
    ("권", "kwon", 14),
    ("황", "hwang", 13),
    ("안", "ahn", 13),
    ("송", "song", 13),
    ("류", "ryu", 12),
    ("홍", "hong", 11),
    ("남궁", "namgung", 1),
]
SYLLABLES = [
    ("민", "min"),
    ("준", "jun"),
    ("서", "seo"),
    ("연", "yeon"),
    ("지", "ji"),
    ("훈", "hun"),
    ("수", "su"),
    ("아", "a"),
    ("예", "ye"),
    ("하", "ha"),
    ("은", "eun"),
    ("도", "do"),
    ("윤", "yun"),
    ("우", "u"),
    ("린", "rin"),
    ("승", "seung"),
    ("현", "hyeon"),
    ("영", "yeong"),
    ("재", "jae"),
    ("희", "hui"),
    ("태", "tae"),
    ("성", "seong"),
    ("경", "gyeong"),
    ("혜", "hye"),
    ("진", "jin"),
    ("호", "ho"),
    ("유", "yu"),
    ("정", "jeong"),
    ("원", "won"),
    ("빈", "bin"),
]
USERS_A = 20
USERS_B = 5

SEARCHES = [
    ("Hangul, 1 syllable (family name)", "김"),
    ("Hangul, 1 syllable (rare)", "궁"),
    ("Hangul, 2 syllables (given name)", "민준"),
    ("Hangul, 2 syllables (name start)", "이준"),
    ("Hangul, 3 syllables", "김민준"),
    ("Latin, 2 letters", "ji"),
    ("Latin, 3 letters", "kim"),
    ("Latin, word", "minjun"),
    ("chart number", "012345"),
    ("phone digits", "5678"),
    ("month of birth", "1985-03"),
    ("two words", "김 1985"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def psql(base_url: str, sql: str) -> None:
    subprocess.run(
        ["psql", f"{base_url}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True
    )


def timed(fn: Callable[[], Any], repeats: int, budget_s: float) -> list[float]:
    """Milliseconds per call after one warm-up; fewer repeats when a call is slow (budget)."""
    fn()
    times: list[float] = []
    started = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - started > budget_s and len(times) >= 3:
            break
    return times


def child(args: argparse.Namespace) -> dict[str, Any]:  # noqa: C901 (one linear run, in order)
    os.environ["DJANGO_SETTINGS_MODULE"] = "atlaschart.web.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection

    call_command("migrate", verbosity=0)
    from atlaschart.accounts.models import Role, User
    from atlaschart.audit.models import AccessLogEntry
    from atlaschart.audit.views import _in_range, filtered_entries, log_page
    from atlaschart.clinics.models import Clinic
    from atlaschart.patients.access import SEARCH_PAGE_SIZE, _matching, _search_term
    from atlaschart.patients.models import Patient

    tables = ("audit_accesslogentry", "patients_patient")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        secondary = dict(cursor.fetchall())
    new_names = {
        "audit_log_clinic_time",
        "audit_log_clinic_user_time",
        "audit_log_clinic_action_time",
        "audit_log_patient_time",
        "audit_log_clinic_ip_prefix",
        "patients_search_trigram",
        "patients_search_characters",
        "patients_by_clinic_name",
    }
    assert new_names <= set(secondary), sorted(new_names - set(secondary))
    base_indexes = {n: d for n, d in secondary.items() if n not in new_names}
    new_indexes = {n: d for n, d in secondary.items() if n in new_names}
    # The two that migration audit.0006 replaced, as audit.0001 made them.
    old_indexes = {
        "audit_acces_clinic__b26699_idx": "CREATE INDEX audit_acces_clinic__b26699_idx ON "
        "audit_accesslogentry (clinic_id, at DESC)",
        "audit_acces_patient_e46606_idx": "CREATE INDEX audit_acces_patient_e46606_idx ON "
        "audit_accesslogentry (patient_id, at DESC)",
    }
    with connection.cursor() as cursor:
        for name in secondary:
            cursor.execute(f"DROP INDEX {name}")

    clinic = Clinic.objects.create(name="Bench clinic", slug="bench-a")
    other = Clinic.objects.create(name="Other clinic", slug="bench-b")
    users_a = [
        User.objects.create(username=f"staff{i:02d}", clinic=clinic, role=Role.CLINICIAN)
        for i in range(USERS_A)
    ]
    users_b = [
        User.objects.create(username=f"busan{i:02d}", clinic=other, role=Role.CLINICIAN)
        for i in range(USERS_B)
    ]
    t_fill = time.perf_counter()
    families = []
    for hangul, latin, weight in FAMILIES:
        families += [(hangul, latin)] * weight
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        log(f"patients: {args.patients:,}")
        cursor.execute(
            """
            WITH p AS (
                SELECT g,
                    (%(fam_h)s::text[])[1 + (hashint8(g) & 2147483647) %% %(nfam)s] AS fh,
                    (%(fam_l)s::text[])[1 + (hashint8(g) & 2147483647) %% %(nfam)s] AS fl,
                    (%(syl_h)s::text[])[1 + (hashint8(2 * g + 1) & 2147483647) %% %(nsyl)s] AS s1h,
                    (%(syl_l)s::text[])[1 + (hashint8(2 * g + 1) & 2147483647) %% %(nsyl)s] AS s1l,
                    (%(syl_h)s::text[])[1 + (hashint8(3 * g + 2) & 2147483647) %% %(nsyl)s] AS s2h,
                    (%(syl_l)s::text[])[1 + (hashint8(3 * g + 2) & 2147483647) %% %(nsyl)s] AS s2l,
                    '010' || lpad(((g * 104729) %% 100000000)::text, 8, '0') AS phone,
                    date '1930-01-01' + ((g * 613) %% 30000)::int AS dob,
                    lpad(g::text, 6, '0') AS chart
                FROM generate_series(1::bigint, %(n)s::bigint) AS g
            )
            INSERT INTO patients_patient (clinic_id, chart_number, name, name_latin,
                date_of_birth, sex, phone, email, address, preferred_language,
                no_followup_messages, notes, archived_at, search_text, created_at, updated_at)
            SELECT CASE WHEN g %% 10 = 0 THEN %(b)s ELSE %(a)s END, chart, fh || s1h || s2h,
                initcap(s1l || s2l) || ' ' || initcap(fl), dob,
                CASE WHEN g %% 2 = 0 THEN 'female' ELSE 'male' END, phone, '', '', 'ko', false,
                '', CASE WHEN g %% 50 = 0 THEN now() END,
                concat_ws('|', fh || s1h || s2h, fh || s1h || s2h,
                    s1l || s2l || ' ' || fl, chart, phone, dob::text),
                now(), now()
            FROM p
            """,
            {
                "fam_h": [h for h, _ in families],
                "fam_l": [x for _, x in families],
                "nfam": len(families),
                "syl_h": [h for h, _ in SYLLABLES],
                "syl_l": [x for _, x in SYLLABLES],
                "nsyl": len(SYLLABLES),
                "n": args.patients,
                "a": clinic.pk,
                "b": other.pk,
            },
        )
        cursor.execute("SELECT min(id) - 1 FROM patients_patient")
        (pid_base,) = cursor.fetchone()
        chunks = range(1, args.rows + 1, CHUNK_ROWS)
        for lo in chunks:
            hi = min(lo + CHUNK_ROWS - 1, args.rows)
            cursor.execute(
                """
                INSERT INTO audit_accesslogentry (at, clinic_id, user_id, username, client_ip,
                    patient_id, action, object_type, object_id, detail, seq, prev_hash,
                    row_hash)
                SELECT now() - interval '730 days'
                        + (g::float8 / %(n)s) * interval '730 days',
                    CASE WHEN b THEN %(cb)s ELSE %(ca)s END,
                    CASE WHEN b THEN (%(ub)s::bigint[])[1 + (g / 7) %% %(nub)s]
                        ELSE (%(ua)s::bigint[])[1 + (g / 7) %% %(nua)s] END,
                    CASE WHEN b THEN (%(nb)s::text[])[1 + (g / 7) %% %(nub)s]
                        ELSE (%(na)s::text[])[1 + (g / 7) %% %(nua)s] END,
                    CASE WHEN g %% 50 = 7 THEN '203.0.113.' || (g %% 250)
                        WHEN b THEN '10.2.' || ((g / 7) %% %(nub)s) || '.20'
                        ELSE '10.1.' || ((g / 7) %% %(nua)s) || '.' || (20 + (g / 7) %% 5)
                        END,
                    pid,
                    kind,
                    CASE WHEN pid IS NULL THEN '' ELSE 'patients.patient' END,
                    coalesce(pid::text, ''),
                    CASE kind WHEN 'list' THEN 'search: 김' WHEN 'view' THEN 'chart'
                        WHEN 'denied' THEN 'GET /patients/' || g %% 1000 || '/'
                        WHEN 'export' THEN 'access log CSV 2026-01-01..2026-01-31; reason: audit'
                        ELSE '' END,
                    g,
                    CASE WHEN g = 1 THEN repeat('0', 64)
                        ELSE md5((g - 1)::text) || md5((-(g - 1))::text) END,
                    md5(g::text) || md5((-g)::text)
                FROM (
                    SELECT g, b, kind,
                        CASE WHEN kind IN ('denied', 'export') THEN NULL
                            WHEN b THEN %(pid)s + ((g * 7919) %% (%(np)s / 10) + 1) * 10
                            WHEN (g * 7919) %% %(np)s %% 10 = 9
                                THEN %(pid)s + (g * 7919) %% %(np)s
                            ELSE %(pid)s + (g * 7919) %% %(np)s + 1 END AS pid
                    FROM (
                        SELECT g, g %% 10 = 0 AS b,
                            CASE WHEN g %% 100 < 55 THEN 'list' WHEN g %% 100 < 85 THEN 'view'
                                WHEN g %% 100 < 92 THEN 'update'
                                WHEN g %% 100 < 95 THEN 'create'
                                WHEN g %% 100 < 97 THEN 'sign' WHEN g %% 100 < 98 THEN 'denied'
                                WHEN g %% 100 < 99 THEN 'export' ELSE 'amend' END AS kind
                        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
                    ) AS kinds
                ) AS rows
                """,
                {
                    "n": args.rows,
                    "lo": lo,
                    "hi": hi,
                    "ca": clinic.pk,
                    "cb": other.pk,
                    "ua": [u.pk for u in users_a],
                    "ub": [u.pk for u in users_b],
                    "na": [u.username for u in users_a],
                    "nb": [u.username for u in users_b],
                    "nua": USERS_A,
                    "nub": USERS_B,
                    "pid": pid_base,
                    "np": args.patients,
                },
            )
            log(f"log rows: {hi:,} of {args.rows:,}")
        cursor.execute("SET session_replication_role = origin")
    fill_s = time.perf_counter() - t_fill
    for sample in Patient.objects.order_by("?")[:50]:
        assert sample.search_text == sample.build_search_text(), sample.pk

    def build(indexes: dict[str, str], label: str) -> float:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in indexes.items():
                log(f"{label}: {name}")
                cursor.execute(definition)
        return time.perf_counter() - t0

    build_base_s = build({**base_indexes, **old_indexes}, "index (before)")
    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_accesslogentry")
        cursor.execute("VACUUM ANALYZE patients_patient")
        cursor.execute("SELECT pg_total_relation_size('audit_accesslogentry')")
        (log_bytes_before,) = cursor.fetchone()

    staff = users_a[3]
    busy = (
        AccessLogEntry.objects.filter(clinic=clinic, patient__isnull=False)
        .values_list("patient_id", flat=True)
        .order_by("-id")
        .first()
    )
    chart = Patient.objects.get(pk=busy).chart_number
    deep_page = args.rows // 2 // OLD_PAGE_SIZE
    # The row the old pager's deep page would end on: the 'older' cursor at the same depth.
    deep_cursor = (
        AccessLogEntry.objects.filter(clinic=clinic)
        .order_by("-at", "-id")
        .only("id", "at")[deep_page * OLD_PAGE_SIZE - 1]
    )
    first_day = (
        AccessLogEntry.objects.filter(clinic=clinic).order_by("at").values_list("at", flat=True)
    )[0].date()
    month = date(first_day.year + (first_day.month // 12), first_day.month % 12 + 1, 1)

    def old_page(params: dict[str, str], page: int = 1) -> Callable[[], Any]:
        """The view before audit.0006 (audit/views.py at 9c0320e), minus the template."""

        def run() -> Any:
            entries = AccessLogEntry.objects.filter(clinic_id=clinic.pk).select_related(
                "patient", "user"
            )
            if params.get("username"):
                entries = entries.filter(username__icontains=params["username"])
            if params.get("chart_number"):
                entries = entries.filter(patient__chart_number=params["chart_number"])
            if params.get("action"):
                entries = entries.filter(action=params["action"])
            if params.get("ip"):
                entries = entries.filter(client_ip__startswith=params["ip"])
            entries = _in_range(entries, params.get("date_from"), params.get("date_to"))
            return list(Paginator(entries, OLD_PAGE_SIZE).get_page(page))

        return run

    def new_page(data: dict[str, Any], older: Any = None) -> Callable[[], Any]:
        def run() -> Any:
            base = AccessLogEntry.objects.filter(clinic_id=clinic.pk)
            patient_id = None
            if data.get("chart_number"):
                patient_id = (
                    Patient.objects.filter(clinic_id=clinic.pk, chart_number=data["chart_number"])
                    .values_list("pk", flat=True)
                    .first()
                )
            entries = filtered_entries(base, data, patient_id).select_related("patient")
            return log_page(entries, older_than=older).entries

        return run

    month_end = date(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1)

    cases = [
        ("first page", {}, {}),
        ("by user", {"username": staff.username}, {"user": staff}),
        ("by IP prefix (one desk)", {"ip": "10.1.3."}, {"ip": "10.1.3."}),
        ("by IP prefix (outside, 2 %)", {"ip": "203.0.113."}, {"ip": "203.0.113."}),
        ("by patient", {"chart_number": chart}, {"chart_number": chart}),
        ("by action (denied)", {"action": "denied"}, {"action": "denied"}),
        (
            "by month (oldest full month)",
            {"date_from": month, "date_to": month_end},
            {"date_from": month, "date_to": month_end},
        ),
    ]

    def plan_of(run_sql: Callable[[], Any]) -> tuple[str, float]:
        """The indexes a call's queries read, and the database's own time for them
        (EXPLAIN ANALYZE: what the server spends, without Python building the rows)."""
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            run_sql()
        used: list[str] = []
        server_ms = 0.0
        with connection.cursor() as cursor:
            for q in queries.captured_queries:
                sql = q["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                server_ms += plan[0]["Execution Time"]
                text = json.dumps(plan)
                for node in ("Index Name",):
                    parts = text.split(f'"{node}": "')[1:]
                    used += [p.split('"')[0] for p in parts]
                if '"Seq Scan"' in text:
                    used.append("seq scan")
        return ", ".join(dict.fromkeys(used)) or "-", server_ms

    results: dict[str, Any] = {"log": [], "search": []}
    budget = args.budget_s
    log("before: the access log page")
    before_log = {}
    for label, old_params, _new in cases:
        before_log[label] = timed(old_page(old_params), args.repeats, budget)
        log(f"  {label}: p50 {statistics.median(before_log[label]):.1f} ms")
    before_log["older page, half way down"] = timed(
        old_page({}, deep_page), max(3, args.repeats // 4), budget
    )
    log("before: search")

    def old_search(query: str) -> Callable[[], Any]:
        def run() -> Any:
            patients = Patient.objects.filter(clinic_id=clinic.pk, archived_at__isnull=True)
            for word in query.split():
                patients = patients.filter(search_text__contains=_search_term(word))
            return list(patients.order_by("name", "id")[:SEARCH_PAGE_SIZE])

        return run

    def new_search(query: str) -> Callable[[], Any]:
        def run() -> Any:
            patients = Patient.objects.filter(clinic_id=clinic.pk, archived_at__isnull=True)
            for word in query.split():
                patients = _matching(patients, _search_term(word), postgresql=True)
            return list(patients.order_by("name", "id")[:SEARCH_PAGE_SIZE])

        return run

    before_search = {}
    before_hits = {}
    for label, query in SEARCHES:
        before_search[label] = timed(old_search(query), args.repeats, budget)
        before_hits[label] = [p.pk for p in old_search(query)()]

    log("after: indexes of audit.0006 and patients.0003")
    with connection.cursor() as cursor:
        for name in old_indexes:
            cursor.execute(f"DROP INDEX {name}")
    build_new_s = build(new_indexes, "index (after)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_accesslogentry")
        cursor.execute("ANALYZE patients_patient")
        cursor.execute("SELECT pg_total_relation_size('audit_accesslogentry')")
        (log_bytes_after,) = cursor.fetchone()
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE indexrelname = ANY(%s)",
            [sorted(new_names)],
        )
        index_sizes = dict(cursor.fetchall())

    log("after: the access log page")
    for label, _old, new_data in cases:
        after = timed(new_page(new_data), args.repeats, budget)
        used, server_ms = plan_of(new_page(new_data))
        results["log"].append(
            {
                "case": label,
                "before": before_log[label],
                "after": after,
                "plan": used,
                "server_ms": server_ms,
            }
        )
        log(f"  {label}: p50 {statistics.median(after):.1f} ms")
    deep = timed(new_page({}, deep_cursor), args.repeats, budget)
    used, server_ms = plan_of(new_page({}, deep_cursor))
    results["log"].append(
        {
            "case": "older page, half way down",
            "before": before_log["older page, half way down"],
            "after": deep,
            "plan": used,
            "server_ms": server_ms,
        }
    )
    log("after: search")
    for label, query in SEARCHES:
        after = timed(new_search(query), args.repeats, budget)
        hits = [p.pk for p in new_search(query)()]
        used, server_ms = plan_of(new_search(query))
        results["search"].append(
            {
                "case": label,
                "query": query,
                "before": before_search[label],
                "after": after,
                "same_results": hits == before_hits[label],
                "results": len(hits),
                "plan": used,
                "server_ms": server_ms,
            }
        )
    results["setup"] = {
        "rows": args.rows,
        "patients": args.patients,
        "fill_s": round(fill_s, 1),
        "build_before_s": round(build_base_s, 1),
        "build_after_s": round(build_new_s, 1),
        "log_mb_before": round(log_bytes_before / 2**20),
        "log_mb_after": round(log_bytes_after / 2**20),
        "index_mb": {k: round(v / 2**20, 1) for k, v in index_sizes.items()},
        "repeats": args.repeats,
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "postgres": connection.cursor().connection.info.server_version,
    }
    return results


def render(results: dict[str, Any]) -> str:
    setup = results["setup"]

    def cell(times: list[float]) -> str:
        return f"{statistics.median(times):.1f} / {percentile(times, 95):.1f}"

    lines = [
        "## Access log and search at scale (`bench/access_log_scale.py`)",
        "",
        f"PostgreSQL {setup['postgres'] // 10000}, a throwaway database: {setup['rows']:,} "
        f"access log rows (90 % in the measured clinic, 20 users, two years) and "
        f"{setup['patients']:,} patients (90 % in the clinic), filled with generate_series in "
        f"{setup['fill_s']:.0f} s. Before = the indexes of audit.0005/patients.0002 and the old "
        "queries (an exact COUNT(*) and OFFSET pager, the user by `icontains` on its name, "
        "`LIKE '%word%'` search); after = audit.0006/patients.0003 and the app's own functions. "
        "Same run, same rows; VACUUM ANALYZE before, ANALYZE after the new indexes. "
        f"Milliseconds, p50 / p95 over up to {setup['repeats']} repeats after a warm-up (fewer "
        "for calls over the time budget), timed in Python around the ORM call (rows built); "
        "'server ms' is EXPLAIN ANALYZE's execution time of the new queries. 2 cores, shared "
        f"with other work (load average at the end: {setup.get('load', '?')}).",
        "",
        "| access log page | before p50 / p95 ms | after p50 / p95 ms | after, server ms | "
        "index the new plan reads |",
        "|---|---|---|---|---|",
    ]
    for row in results["log"]:
        lines.append(
            f"| {row['case']} | {cell(row['before'])} | {cell(row['after'])} "
            f"| {row.get('server_ms', 0):.1f} | {row['plan']} |"
        )
    lines += [
        "",
        "| search (word) | before p50 / p95 ms | after p50 / p95 ms | after, server ms | "
        "results, same as before | index the new plan reads |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["search"]:
        same = "yes" if row["same_results"] else "**NO**"
        lines.append(
            f"| {row['case']} (`{row['query']}`) | {cell(row['before'])} | {cell(row['after'])} "
            f"| {row.get('server_ms', 0):.1f} | {row['results']}, {same} | {row['plan']} |"
        )
    sizes = ", ".join(f"{k} {v} MB" for k, v in sorted(setup["index_mb"].items()))
    lines += [
        "",
        f"Log table with its indexes: {setup['log_mb_before']:,} MB before, "
        f"{setup['log_mb_after']:,} MB after. New indexes: {sizes}. Building them took "
        f"{setup['build_after_s']:.0f} s on the filled tables.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--budget-s", type=float, default=20.0, help="time budget per case")
    parser.add_argument("--base-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/benchmarks/access_log_scale.md")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args)), flush=True)
        return 0
    psql(args.base_url, f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(args.base_url, f"CREATE DATABASE {DATABASE}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.base_url}/{DATABASE}",
        "ATLASCHART_VAR_DIR": str(ROOT / "var" / "bench-scale"),
    }
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", *sys.argv[1:]],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
    finally:
        if not args.keep:
            psql(args.base_url, f"DROP DATABASE IF EXISTS {DATABASE}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    results = json.loads(line.removeprefix("RESULT "))
    text = render(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    (args.out.with_suffix(".json")).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
