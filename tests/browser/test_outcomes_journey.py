"""The clinic outcomes page in Korean, desktop and phone width (screenshots looked at)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.web.stories import generated_clinic


def test_a_clinician_reads_the_clinic_outcomes_in_korean(live_server, page, personas) -> None:
    generated_clinic(personas, patients=24)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("link", name="치료 성과").first.click()
    page.get_by_label("설문").select_option("nprs")
    page.get_by_role("button", name="보기").click()
    row = page.get_by_role("row").filter(has_text="NPRS")
    expect(row).to_contain_text("24")  # with a baseline
    expect(row).to_contain_text("6")  # lost to follow-up: every fourth patient
    expect(row).to_contain_text("95% 신뢰구간")
    screenshot(page, "outcomes-ko-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "outcomes-ko-phone")
