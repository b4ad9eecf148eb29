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
    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo = load_demo(only=("seoul-demo",))
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
    # The front desk starts at today's appointments; the patient list is one menu tap away.
    page.locator("summary.navfold-toggle").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("link", name="김민준")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    screenshot(page, "foundation-list-phone")


# The main menu of each role, in Korean (base.html, from the role policy in lib/policy.py).
NAV_BY_ROLE = {
    "seoul-desk": ["오늘", "환자", "일정표", "상담 요청", "문진 링크"],
    "seoul-clinician": ["오늘", "환자", "일정표", "치료 성과", "영상 수신함"],
    "seoul-admin": [
        "오늘",
        "환자",
        "일정표",
        "상담 요청",
        "문진 링크",
        "치료 성과",
        "영상 수신함",
        "설정",
    ],
}


def _sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_role("button", name="한국어").click()
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button").last.click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")


def _click_and_status(page, link) -> int:
    with page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    return response.status if response is not None else 0


def test_each_role_has_its_own_menu_and_no_link_answers_403(live_server, page, settings, tmp_path):
    """Every main-menu link, clicked as each role of the living demo, opens (never 403); the
    admin's settings page links every admin page, and each of those opens too."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo = load_demo(only=("seoul-demo",))
    passwords = {c[1]: c[2] for c in demo.credentials}
    for username, expected in NAV_BY_ROLE.items():
        page.context.clear_cookies()
        _sign_in(page, live_server.url, username, passwords[username])
        nav = page.get_by_role("navigation", name="주 메뉴")
        names = [link.inner_text().strip() for link in nav.get_by_role("link").all()]
        assert names == expected, (username, names)
        for name in expected:
            link = page.get_by_role("navigation", name="주 메뉴").get_by_role(
                "link", name=name, exact=True
            )
            status = _click_and_status(page, link)
            assert status == 200, (username, name, status)
        screenshot(page, f"nav-{username}-desktop-ko")
    # The admin's settings hub: every link on it opens.
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="설정").click()
    expect(page.get_by_role("heading", name="설정", exact=True)).to_be_visible()
    screenshot(page, "settings-hub-desktop-ko")
    hub_links = [
        a.get_attribute("href") for a in page.locator(".hub a").all() if a.get_attribute("href")
    ]
    assert len(hub_links) >= 10
    for href in hub_links:
        response = page.goto(live_server.url + href)
        assert response is not None and response.status == 200, (href, response and response.status)


def test_the_menu_folds_on_a_phone(live_server, page, settings, tmp_path) -> None:
    """At 360 px the menu is one button; opened, it lists the role's links one under another,
    and no page is wider than the screen."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo = load_demo(only=("seoul-demo",))
    passwords = {c[1]: c[2] for c in demo.credentials}
    page.set_viewport_size({"width": 360, "height": 740})
    for username in ("seoul-desk", "seoul-admin"):
        page.context.clear_cookies()
        _sign_in(page, live_server.url, username, passwords[username])
        menu = page.locator("summary.navfold-toggle")
        expect(menu).to_be_visible()
        first = page.get_by_role("navigation", name="주 메뉴").get_by_role("link").first
        expect(first).to_be_hidden()
        screenshot(page, f"nav-{username}-phone-closed-ko")
        menu.click()
        for name in NAV_BY_ROLE[username]:
            expect(
                page.get_by_role("navigation", name="주 메뉴").get_by_role(
                    "link", name=name, exact=True
                )
            ).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{username}: the page is {width}px wide on a 360px phone"
        screenshot(page, f"nav-{username}-phone-open-ko")
