"""A clinician opens the progress page from the chart and reads, in English on a desktop and in
Korean on a phone, the per-region change with its measurement-error bands.

Expected words, by hand (NPRS threshold max(MCID 2, MDC 2) = 2 points; Farrar 2001, Ostelo
2008): neck 8 -> 3 and head 6 -> 2 better (local), between the shoulder blades 5 -> 2 better,
upper back 6 -> 5 unchanged and low back 4 -> 6 worse (distant)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import screenshot
from tests.web.stories import progress_story

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    # By field name: the phone's sign-in page is in Korean.
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator("button.primary").last.click()


def test_progress_page_desktop_english_and_phone_korean(
    live_server, chromium, page, personas
) -> None:
    progress_story(personas)
    sign_in(page, live_server.url, "clinician", personas.password)
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("link", name="Open the progress page").click()
    assert page.url.endswith(reverse("progress:patient", args=[personas.patient.pk]))
    summary = page.inner_text(".region-summary")
    assert summary.startswith("3 of 5 regions better beyond measurement error")
    assert "1 worse (Low back, right)" in summary
    assert page.locator("svg.progress-chart").count() == 6
    # Each chart fits the page: no horizontal scrolling at desktop width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "progress-01-desktop-en")

    personas.clinician.language = "ko"
    personas.clinician.save(update_fields=["language"])
    phone_context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    sign_in(phone, live_server.url, "clinician", personas.password)
    phone.goto(live_server.url + reverse("progress:patient", args=[personas.patient.pk]))
    assert phone.locator("html").get_attribute("lang") == "ko"
    assert "5개 부위 중 3개 부위가 측정 오차를 넘어 좋아짐" in phone.inner_text(".region-summary")
    assert "통증 (NPRS, 0–10점)" in phone.locator("svg.progress-chart").first.text_content()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "progress-02-phone-ko")
    phone_context.close()
