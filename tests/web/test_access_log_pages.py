"""The access log page a page at a time ("newer" / "older"), and its filters by indexed columns.

The page never counts the log: a page is the 100 entries just before (or after) the entry a
cursor names, in (time, id) order. These tests walk a log of a few hundred rows; the plans on a
large log are in test_access_log_plans.py, the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from atlaschart.audit.models import AccessLogEntry
from atlaschart.audit.views import PAGE_SIZE

# Where the test requests come from.
ADDRESS = "192.0.2.10"


def fill(personas, count: int, *, start=None, user=None, ip="192.0.2.10", patient=None):
    """``count`` entries one second apart, oldest first, with ``detail`` = "row N"."""
    # Rows at set times, in one insert: the log's service stamps each row with the present
    # moment, and the pages are tested on a log of known order.
    start = start or timezone.now() - timedelta(days=1)
    user = user or personas.clinician
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                at=start + timedelta(seconds=i),
                clinic=personas.seoul,
                user=user,
                username=user.username,
                client_ip=ip,
                patient=patient,
                action="view",
                detail=f"row {i}",
            )
            for i in range(count)
        ]
    )


def rows_of(page: str) -> list[str]:
    return re.findall(r"row (\d+)", page)


def link(page: str, name: str) -> str | None:
    match = re.search(rf'href="\?([^"]*{name}=\d+)"', page)
    return match[1].replace("&amp;", "&") if match else None


def test_the_log_is_read_a_page_at_a_time_newest_first(personas) -> None:
    fill(personas, 250)
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    first = admin.get(reverse("audit:access_log")).content.decode()
    assert rows_of(first) == [str(i) for i in range(249, 149, -1)]
    assert link(first, "newer") is None and "Newest" not in first
    second = admin.get(reverse("audit:access_log") + "?" + link(first, "older")).content.decode()
    assert rows_of(second) == [str(i) for i in range(149, 49, -1)]
    third = admin.get(reverse("audit:access_log") + "?" + link(second, "older")).content.decode()
    assert rows_of(third) == [str(i) for i in range(49, -1, -1)]
    assert link(third, "older") is None and "No older entries." in third
    back = admin.get(reverse("audit:access_log") + "?" + link(third, "newer")).content.decode()
    assert rows_of(back) == rows_of(second)
    top = admin.get(reverse("audit:access_log") + "?" + link(back, "newer")).content.decode()
    assert rows_of(top) == rows_of(first) and link(top, "newer") is None


def test_entries_written_meanwhile_do_not_shift_the_older_pages(personas) -> None:
    """Offset paging would show the first page's last rows again on page 2."""
    fill(personas, 150, start=timezone.now() - timedelta(days=2))
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    first = admin.get(reverse("audit:access_log")).content.decode()
    fill(personas, 30, start=timezone.now() - timedelta(hours=1))  # others keep working
    second = admin.get(reverse("audit:access_log") + "?" + link(first, "older")).content.decode()
    assert rows_of(second) == [str(i) for i in range(49, -1, -1)]
    assert not set(rows_of(first)) & set(rows_of(second))


def test_the_page_counts_nothing(personas) -> None:
    fill(personas, 120)
    with CaptureQueriesContext(connection) as queries:
        personas.login(personas.admin, REMOTE_ADDR=ADDRESS).get(
            reverse("audit:access_log"), {"action": "view"}
        )
    log_queries = [q["sql"] for q in queries if "audit_accesslogentry" in q["sql"]]
    assert log_queries and not [q for q in log_queries if "COUNT(" in q.upper()]
    assert all(f"LIMIT {PAGE_SIZE + 1}" in q for q in log_queries if "ORDER BY" in q)


def test_a_cursor_from_another_clinic_is_ignored(personas) -> None:
    """A cursor is looked up among the clinic's own entries: another clinic's entry id gives
    the newest page, never a page placed by that clinic's entry (its time would leak)."""
    fill(personas, 150)
    old = timezone.now() - timedelta(days=400)
    busan = AccessLogEntry(
        at=old, clinic=personas.busan, user=personas.outsider, username="outsider", action="view"
    )
    busan.save()
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    newest = rows_of(admin.get(reverse("audit:access_log")).content.decode())
    forged = admin.get(reverse("audit:access_log"), {"older": busan.pk}).content.decode()
    assert rows_of(forged) == newest
    forged = admin.get(reverse("audit:access_log"), {"newer": busan.pk}).content.decode()
    assert rows_of(forged) == newest


def test_filter_by_user_is_a_choice_of_the_clinics_users(personas) -> None:
    fill(personas, 3, user=personas.clinician)
    fill(personas, 2, user=personas.desk)
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    page = admin.get(reverse("audit:access_log"), {"user": personas.desk.pk}).content.decode()
    assert rows_of(page) == ["1", "0"]
    assert f'<option value="{personas.outsider.pk}"' not in page  # Busan's clinician
    # Another clinic's user is not a choice: a message, no entries, no 500.
    page = admin.get(reverse("audit:access_log"), {"user": personas.outsider.pk})
    assert page.status_code == 200
    assert rows_of(page.content.decode()) == []
    assert "Select a valid choice" in page.content.decode()


def test_filter_by_patient_chart_number(personas) -> None:
    fill(personas, 3, patient=personas.patient)
    fill(personas, 4)
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    page = admin.get(reverse("audit:access_log"), {"chart_number": "000001"}).content.decode()
    assert rows_of(page) == ["2", "1", "0"]
    page = admin.get(reverse("audit:access_log"), {"chart_number": "999999"}).content.decode()
    assert rows_of(page) == []
    assert "No patient of this clinic has that chart number." in page


def test_filter_by_address_prefix(personas) -> None:
    fill(personas, 2, ip="10.1.3.21")
    fill(personas, 3, ip="10.1.30.5", start=timezone.now() - timedelta(hours=2))
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    assert rows_of(admin.get(reverse("audit:access_log"), {"ip": "10.1.3."}).content.decode()) == [
        "1",
        "0",
    ]
    assert len(rows_of(admin.get(reverse("audit:access_log"), {"ip": "10.1.3"}).content.decode()))
    page = admin.get(reverse("audit:access_log"), {"ip": "10.1.%"}).content.decode()
    assert rows_of(page) == [] and "digits, dots, colons" in page


def test_filters_and_pages_together(personas) -> None:
    fill(personas, 130, user=personas.desk, start=timezone.now() - timedelta(days=3))
    fill(personas, 50, user=personas.clinician, start=timezone.now() - timedelta(days=2))
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    first = admin.get(reverse("audit:access_log"), {"user": personas.desk.pk}).content.decode()
    assert rows_of(first) == [str(i) for i in range(129, 29, -1)]
    older = link(first, "older")
    assert f"user={personas.desk.pk}" in older
    second = admin.get(reverse("audit:access_log") + "?" + older).content.decode()
    assert rows_of(second) == [str(i) for i in range(29, -1, -1)]


def test_the_pager_speaks_korean(personas) -> None:
    fill(personas, 120)
    client = personas.login(personas.admin, browser_language="ko", REMOTE_ADDR=ADDRESS)
    first = client.get(reverse("audit:access_log")).content.decode()
    assert "이전 기록" in first and "모든 사용자" in first
    second = client.get(reverse("audit:access_log") + "?" + link(first, "older")).content.decode()
    assert "최신" in second and "더 이전 기록이 없습니다." in second


@pytest.mark.parametrize("cursor", ["", "abc", "0", "-5", "1" * 40, "12345678901234567890"])
def test_a_bad_cursor_is_the_newest_page(personas, cursor) -> None:
    fill(personas, 5)
    response = personas.login(personas.admin, REMOTE_ADDR=ADDRESS).get(
        reverse("audit:access_log"), {"older": cursor}
    )
    assert response.status_code == 200
    assert rows_of(response.content.decode()) == ["4", "3", "2", "1", "0"]
