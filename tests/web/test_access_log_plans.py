"""On PostgreSQL each filter of the access log page reads an index of its own (migration
``audit.0006``), never the whole log: EXPLAIN of the page's own query, with sequential scans
priced out (``enable_seqscan = off``) on a log of a few thousand rows, ANALYZEd. The figures at
10 million rows are in docs/benchmarks.md (bench/access_log_scale.py)."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from atlaschart.audit.models import AccessLogEntry
from atlaschart.audit.views import PAGE_SIZE, filtered_entries, log_page

pytestmark = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="PostgreSQL only (DATABASE_URL=postgres://...)",
)

ROWS = 3000


@pytest.fixture
def log(personas):
    start = timezone.now() - timedelta(days=60)
    users = [personas.admin, personas.clinician, personas.desk]
    # A large log spread over two months, in one insert: the log's service writes one row at the
    # present moment, and the plans are what is tested.
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                at=start + timedelta(minutes=i),
                clinic=personas.seoul,
                user=users[i % 3],
                username=users[i % 3].username,
                client_ip=f"10.1.{i % 40}.{i % 7}",
                patient=personas.patient if i % 50 == 0 else None,
                action="view" if i % 20 else "denied",
                detail="chart",
            )
            for i in range(ROWS)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_accesslogentry")
    return personas


def plan(queryset) -> str:
    """The plan of the page's query for these entries (first page, newest first)."""
    sql, params = queryset.order_by("-at", "-id")[: PAGE_SIZE + 1].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        return json.dumps(cursor.fetchone()[0])


def entries(personas, **data):
    clinic = AccessLogEntry.objects.filter(clinic_id=personas.seoul.pk)
    return filtered_entries(clinic, data, data.pop("patient_id", None))


@pytest.mark.parametrize(
    ("case", "index"),
    [
        ("user", "audit_log_clinic_user_time"),
        ("action", "audit_log_clinic_action_time"),
        # Its own index or the foreign key's (patient_id alone), whichever the planner finds
        # smaller for a patient's few rows.
        ("patient", "patient"),
        ("ip", "audit_log_clinic_ip_prefix"),
        ("dates", "audit_log_clinic_time"),
    ],
)
def test_each_filter_reads_its_index(log, case, index) -> None:
    today = timezone.localdate()
    data = {
        "user": {"user": log.desk},
        "action": {"action": "denied"},
        "patient": {"patient_id": log.patient.pk},
        # A beginning that few entries share (one desk); a common one is read faster along
        # the time index, stopping at the page's end (the planner's choice, see the bench).
        "ip": {"ip": "10.1.3.5"},
        "dates": {"date_from": today - timedelta(days=30), "date_to": today - timedelta(days=20)},
    }[case]
    shown = plan(entries(log, **data))
    assert '"Seq Scan"' not in shown
    assert f'"Index Name": "{index}"' in shown or (
        index == "patient" and '"Index Name": "audit_accesslogentry_patient_id_' in shown
    ), shown


def test_the_older_page_deep_in_the_log_reads_from_the_cursor(log) -> None:
    """The 'older' page starts its index range at the cursor: no offset to skip."""
    clinic = AccessLogEntry.objects.filter(clinic_id=log.seoul.pk)
    cursor = clinic.order_by("id")[ROWS // 3]
    page = log_page(clinic, older_than=cursor)
    assert page.entries[0].at < cursor.at or page.entries[0].pk < cursor.pk
    from atlaschart.audit.views import _before

    shown = plan(_before(clinic, cursor))
    assert '"Seq Scan"' not in shown and '"Index Cond"' in shown
    assert "OFFSET" not in str(_before(clinic, cursor).order_by("-at", "-id")[:101].query)
