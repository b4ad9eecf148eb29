"""A patient fills the intake on a phone in Korean, reloads half-way, submits; the clinician then
sees the red-flag banner and the scores on the chart."""

from __future__ import annotations

import hashlib

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# Every change has reached the server (the page marks itself dirty until then).
SAVED = (
    "!document.querySelector('form.intake-form').dataset.dirty"
    " && document.querySelector('.save-status').textContent.includes('저장됨')"
)


def test_patient_intake_on_a_phone_in_korean(live_server, chromium, page, personas) -> None:
    from atlaschart.intake import services
    from atlaschart.intake.models import IntakeLink
    from atlaschart.lib.actor import Actor

    services.save_settings(Actor.system(personas.admin, via="test"), ["nprs"], 72)

    # The desk makes the link from the chart (desktop page fixture).
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("button", name="Create intake link").click()
    url = page.locator("input.link-url").input_value()
    assert page.locator(".qr svg").count() == 1
    screenshot(page, "intake-01-link-created")
    token = url.split("/intake/p/")[1].split("/")[0]
    link = IntakeLink.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())

    # The patient's phone: a fresh context, 390x844, Korean by the patient's preference.
    phone_context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(live_server.url + f"/intake/p/{token}/complaints/")
    assert phone.locator("html").get_attribute("lang") == "ko"
    phone.get_by_label("어떤 문제로 오셨습니까?").fill("목과 어깨가 아프고 두통이 있어요")
    phone.get_by_label("3개월 이상").check()
    phone.wait_for_function(SAVED)
    phone.get_by_role("button", name="저장하고 계속").click()

    # Body map: tap the neck on the figure, rate it, pick qualities.
    phone.locator('svg [data-region="neck"]').first.click()
    phone.locator("#pain_neck").select_option("7")
    phone.locator('#region-neck input[value="aching"]').check()
    phone.locator('svg [data-region="shoulder_blades"]').first.click()
    phone.locator("#pain_shoulder_blades").select_option("4")
    phone.wait_for_function(SAVED)
    screenshot(phone, "intake-02-bodymap-phone-ko")

    # Half-way reload: nothing is lost.
    phone.reload()
    assert phone.locator("#pain_neck").input_value() == "7"
    assert phone.locator('#region-neck input[value="aching"]').is_checked()
    assert phone.locator('svg [data-region="neck"].hurt').count() == 2  # front and back figure
    link.refresh_from_db()
    assert link.draft["complaints"].startswith("목과 어깨")
    phone.get_by_role("button", name="저장하고 계속").click()
    phone.get_by_role("button", name="저장하고 계속").click()  # treatments: skipped

    # Safety questions: a sudden, worst-ever headache (V2) is an emergency finding.
    phone.locator('input[name="rf_V2"][value="yes"]').check()
    phone.locator('input[name="rf_G2"][value="no"]').check()
    screenshot(phone, "intake-03-safety-phone-ko")
    phone.get_by_role("button", name="저장하고 계속").click()

    # NPRS 6.
    phone.locator('input[name="q_nprs_q1"][value="6"]').check()
    screenshot(phone, "intake-04-questionnaire-phone-ko")
    phone.get_by_role("button", name="저장하고 계속").click()
    screenshot(phone, "intake-05-review-phone-ko")
    phone.get_by_role("button", name="클리닉으로 보내기").click()
    assert "감사합니다" in phone.content()
    # The link is spent.
    phone.goto(live_server.url + f"/intake/p/{token}/complaints/")
    assert "사용할 수 없습니다" in phone.content()
    assert personas.patient.name not in phone.content()
    phone_context.close()

    # The clinician's chart: red-flag banner and the score.
    page.goto(live_server.url + "/accounts/login/")
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    banner = page.locator(".safety-banner")
    assert banner.get_attribute("data-level") == "E"
    assert "emergency" in banner.inner_text()
    outcomes = page.locator(".outcomes-table")
    assert "NPRS" in outcomes.inner_text() and "6" in outcomes.inner_text()
    screenshot(page, "intake-06-chart-banner-scores")

    # Front desk on a phone, in Korean: only the status (done, needs a clinician), no level, no
    # finding, no score, and no link to a page that would refuse it.
    from django.conf import settings
    from django.test import Client

    personas.desk.language = "ko"
    personas.desk.save(update_fields=["language"])
    desk_client = Client()
    desk_client.force_login(personas.desk)
    desk_context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True
    )
    session = desk_client.cookies[settings.SESSION_COOKIE_NAME].value
    desk_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    desk_phone = desk_context.new_page()
    desk_phone.set_default_timeout(15_000)
    desk_phone.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    status_banner = desk_phone.locator(".safety-banner")
    assert status_banner.get_attribute("data-status") == "needs-clinician"
    assert "완료, 임상가 확인 필요" in status_banner.inner_text()
    body = desk_phone.locator("main").inner_text()
    assert "응급" not in body and "V2" not in body and "NPRS" not in body
    assert desk_phone.locator('[data-status="done"]').count() == 1  # the intake
    assert desk_phone.locator('a[href*="/safety/"], a[href^="/intake/1"]').count() == 0
    # Nothing wider than the phone: the status reads without sideways scrolling.
    assert desk_phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(desk_phone, "intake-07-desk-chart-status-phone-ko")
    desk_context.close()
