"""A new clinician's first minutes, in a real browser: sign in, add a Korean patient, switch to
Korean, find the patient by part of the Hangul name, open the chart."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from atlaschart.clinics.demo import load_demo
from tests.browser.conftest import screenshot


def test_clinician_creates_and_finds_a_korean_patient(
    live_server, page, settings, tmp_path
) -> None:
    settings.VAR_DIR = tmp_path
    demo = load_demo()
    _clinic, username, password, _role = next(
        c for c in demo.credentials if c[1] == "seoul-clinician"
    )

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # The demo clinician's account is set to Korean; start from English to exercise the switch.
    page.get_by_role("button", name="English").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("button", name="English").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()

    page.get_by_role("link", name="New patient").click()
    page.locator("#id_name").fill("홍길동")
    page.locator("#id_name_latin").fill("Gildong Hong")
    page.locator("#id_date_of_birth").fill("1979-05-14")
    page.locator("#id_phone").fill("010-3030-4040")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("홍길동"))).to_be_visible()

    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("link", name="환자", exact=True).click()
    page.get_by_role("searchbox").fill("길동")
    page.get_by_role("button", name="검색").click()
    screenshot(page, "foundation-search-ko")
    page.get_by_role("link", name="홍길동").click()

    expect(page.get_by_role("heading", name=re.compile("홍길동"))).to_be_visible()
    expect(page.get_by_text("생년월일")).to_be_visible()
    expect(page.get_by_role("heading", name="안전 선별검사")).to_be_visible()
    screenshot(page, "foundation-chart-ko")


def test_the_patient_list_fits_a_phone(live_server, page, personas) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    expect(page.get_by_role("link", name="김민준")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    screenshot(page, "foundation-list-phone")
