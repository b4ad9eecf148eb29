"""A clinic admin reads the access log in Korean, in a real browser: filters by a user chosen
from the clinic's users, pages to older entries and back to the newest; desktop and phone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from atlaschart.audit.models import AccessLogEntry
from tests.browser.conftest import screenshot


def _log(personas) -> None:
    start = timezone.now() - timedelta(days=2)
    rows = []
    for i in range(160):
        user = personas.clinician if i % 3 else personas.desk
        rows.append(
            AccessLogEntry(
                at=start + timedelta(minutes=i),
                clinic=personas.seoul,
                user=user,
                username=user.username,
                client_ip=f"10.1.{i % 3}.21",
                patient=personas.patient if i % 4 else None,
                action="view" if i % 4 else "list",
                object_type="patients.patient",
                object_id=str(personas.patient.pk),
                detail="chart" if i % 4 else "search: 김",
            )
        )
    AccessLogEntry.objects.bulk_create(rows)


def _sign_in_korean(page, live_server, personas) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")


def test_admin_pages_and_filters_the_log_in_korean(live_server, page, personas) -> None:
    _log(personas)
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in_korean(page, live_server, personas)
    page.goto(live_server.url + "/access-log/")
    expect(page.get_by_role("heading", name="접근 기록")).to_be_visible()
    rows = page.locator("table.log tbody tr")
    expect(rows).to_have_count(100)
    screenshot(page, "access-log-ko-desktop")

    page.get_by_role("link", name="이전 기록").click()
    expect(rows).to_have_count(60)
    expect(page.get_by_text("더 이전 기록이 없습니다.")).to_be_visible()
    page.get_by_role("link", name="최신").click()
    expect(rows).to_have_count(100)

    page.get_by_label("사용자").select_option(label="desk")
    page.get_by_label("접속 IP").fill("10.1.0.")
    page.get_by_role("button", name="필터").click()
    expect(rows.first).to_contain_text("desk")
    for text in rows.all_inner_texts():
        assert "clinician" not in text and "10.1.0.21" in text
    screenshot(page, "access-log-ko-desktop-filtered")


def test_the_log_on_a_phone(live_server, page, personas) -> None:
    _log(personas)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in_korean(page, live_server, personas)
    page.goto(live_server.url + "/access-log/")
    expect(page.get_by_role("link", name="이전 기록")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(page, "access-log-ko-phone")
