"""The header on a 390 px phone, in Korean, with a long clinic name: the language switch stays
whole and inside the screen, the menu button stays reachable, and the clinic name is what gives
way (cut short in the summary, whole inside the user menu)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot

LONG_NAME = "서울 척추 재활의학과 · 상부경추 카이로프랙틱 의원"


def test_a_long_clinic_name_leaves_the_language_switch_whole(live_server, page, personas) -> None:
    personas.seoul.name = LONG_NAME
    personas.seoul.save()
    personas.admin.language = "ko"
    personas.admin.save()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    switch = page.get_by_role("group", name="언어")
    expect(switch.get_by_role("button", name="한국어")).to_have_attribute("aria-pressed", "true")
    english = switch.get_by_role("button", name="English")
    expect(english).to_be_visible()
    box = english.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, box
    # Nothing of the switch is clipped by its own frame (overflow: hidden hid "English" before).
    clipped = page.evaluate(
        "() => { const s = document.querySelector('.lang-switch'); "
        "return s.scrollWidth - s.clientWidth; }"
    )
    assert clipped <= 0, f"the language switch hides {clipped}px of its buttons"
    expect(page.locator("summary.navfold-toggle")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    screenshot(page, "phone-header-long-clinic-name")
    page.locator("details.usermenu summary").click()
    expect(page.locator(".usermenu-body")).to_contain_text(LONG_NAME)
    expect(page.locator(".usermenu-body").get_by_role("button", name="로그아웃")).to_be_visible()
