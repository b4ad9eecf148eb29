"""A clinic admin's monthly access log review, in Korean, in a real browser: open the review
from the access log, see who opened which patients and the unusual volume, sign it off; then
the same page on a phone."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from atlaschart.audit.models import AccessLogEntry, AccessLogReview
from atlaschart.patients.models import Patient
from tests.browser.conftest import screenshot

OCTOBER = datetime(2026, 10, 14, 10, tzinfo=ZoneInfo("Asia/Seoul"))


def _october(personas) -> None:
    patients = [personas.patient] + [
        Patient.objects.create(
            clinic=personas.seoul,
            chart_number=f"{n:06d}",
            name=f"환자{n}",
            date_of_birth=date(1980, 1, n),
            sex="female",
        )
        for n in range(2, 14)
    ]
    for user, seen in (
        (personas.clinician, patients),
        (personas.desk, patients[:1]),
        (personas.admin, patients[:1]),
    ):
        for p in seen:
            AccessLogEntry(
                at=OCTOBER,
                clinic=personas.seoul,
                user=user,
                username=user.username,
                client_ip="192.0.2.7",
                patient=p,
                action="view",
            ).save()
    AccessLogEntry(
        at=OCTOBER,
        clinic=personas.seoul,
        user=personas.desk,
        username="desk",
        client_ip="192.0.2.8",
        action="denied",
        detail="GET /exams/3/",
    ).save()


def test_admin_reviews_and_signs_off_a_month_in_korean(live_server, page, personas) -> None:
    _october(personas)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    page.goto(live_server.url + "/access-log/")
    page.get_by_role("link", name="월간 점검").click()
    page.get_by_label("월").fill("2026-10")
    page.get_by_role("button", name="보기").click()
    expect(page.get_by_role("heading", name="월간 접근 기록 점검")).to_be_visible()
    clinician_row = page.get_by_role("row").filter(has_text="clinician")
    expect(clinician_row).to_contain_text("이상 열람량")
    expect(clinician_row).to_contain_text("13")
    expect(page.get_by_role("row").filter(has_text="GET /exams/3/")).to_be_visible()
    clinician_row.get_by_text("환자 13명").click()
    expect(clinician_row.get_by_text("환자12")).to_be_visible()

    page.get_by_label("메모").fill("clinician 열람량 확인: 10월 검진 캠페인")
    page.get_by_role("button", name="2026-10 점검 확인 서명").click()
    expect(page.get_by_text("2026-10 점검에 서명했습니다.")).to_be_visible()
    expect(page.get_by_text(re.compile("admin 님이 .* 서명했습니다"))).to_be_visible()
    review = AccessLogReview.objects.get()
    expect(page.get_by_text(review.anchor.row_hash)).to_be_visible()
    assert review.note == "clinician 열람량 확인: 10월 검진 캠페인"
    screenshot(page, "audit-review-ko")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("heading", name="월간 접근 기록 점검")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the review is {width}px wide on a 390px phone"
    screenshot(page, "audit-review-ko-phone")
