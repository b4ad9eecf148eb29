"""A clinician records the patient's consent to photos on the chart and downloads the report;
the section read in Korean on a phone."""

from __future__ import annotations

import pytest

from atlaschart.reports.models import PhotoConsent
from tests.browser.conftest import screenshot
from tests.web.report_chart import chart, media, pdf_text, squash  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # Enter in the password field: the button's name is in the page's language.
    page.press("input[name=password]", "Enter")


@pytest.mark.usefixtures("chart")
def test_consent_then_report_from_the_chart(live_server, chromium, page, personas) -> None:
    sign_in(page, live_server.url, "clinician", personas.password)
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    assert "a report leaves the photos out" in page.inner_text("body")
    page.get_by_role("button", name="Record consent to photos in reports").click()
    assert PhotoConsent.objects.get().in_force
    assert "to show posture photos in reports" in page.inner_text("body")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="English").last.click()
    download = download_info.value
    assert download.suggested_filename == f"report-{personas.patient.pk}.pdf"
    with open(download.path(), "rb") as handle:
        assert squash("Difference: -4 points") in pdf_text(handle.read())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "report-01-chart-desktop-en")

    personas.clinician.language = "ko"
    personas.clinician.save(update_fields=["language"])
    phone_context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    sign_in(phone, live_server.url, "clinician", personas.password)
    phone.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    body = phone.inner_text("body")
    assert "환자 보고서 (PDF)" in body
    assert "사진 동의 철회 기록" in body
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_text("환자 보고서 (PDF)").scroll_into_view_if_needed()
    phone.screenshot(path="var/screenshots/report-02-chart-phone-ko.png")
    phone_context.close()
