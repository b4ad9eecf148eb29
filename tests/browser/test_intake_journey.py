"""A patient fills the intake on a 360 px phone in Korean: consent first, the body map by side, a
choice taken back, a 2,000-character note, the review of every answer; the clinician then sees the
red-flag banner, the scores and the intake in words, and the page still fits the phone."""

from __future__ import annotations

import hashlib

import pytest

from tests.browser.conftest import SCREENSHOT_DIR, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 360
LONG_NOTE = "가" * 2000  # one unbroken word at the limit: it once made a page 29,564 px wide


def fits_the_phone(page) -> None:
    """Nothing wider than the screen, every control named, every title inside its box."""
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE_WIDTH
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('main input, main select, main textarea')]
          .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
          .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
          .map(el => el.name)"""
    )
    assert unnamed == [], unnamed
    outside = page.evaluate(
        """() => [...document.querySelectorAll('main fieldset > legend')]
          .filter(l => l.offsetParent !== null)
          .filter(l => { const f = l.parentElement.getBoundingClientRect();
                         const r = l.getBoundingClientRect();
                         return r.left < f.left || r.right > f.right + 0.5 || r.top < f.top; })
          .map(l => l.textContent.trim().slice(0, 40))"""
    )
    assert outside == [], outside


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

    # The patient's phone: a fresh context, 360x740 (the narrowest common Android width),
    # Korean by the patient's preference.
    phone_context = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="ko-KR", is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    # A later step opened first lands on the consent step: nothing is asked before consent.
    phone.goto(live_server.url + f"/intake/p/{token}/complaints/")
    assert phone.url.endswith("/consent/")
    assert phone.locator("html").get_attribute("lang") == "ko"
    assert personas.seoul.name in phone.locator(".clinic-name").inner_text()
    consent = phone.locator("main").inner_text()
    for words in ("수집·이용 목적", "수집하는 항목", "보유 기간", "거부해도 진료를"):
        assert words in consent, words
    fits_the_phone(phone)
    screenshot(phone, "intake-02-consent-phone-ko")
    phone.locator('input[name="consent_personal"][value="yes"]').check()
    phone.locator('input[name="consent_health"][value="yes"]').check()
    phone.wait_for_function(SAVED)
    phone.get_by_role("button", name="저장하고 계속").click()

    phone.get_by_label("어떤 문제로 오셨습니까?").fill("목과 어깨가 아프고 두통이 있어요")
    # The character count is on the page, next to the box.
    assert phone.locator("#complaints + .char-count").inner_text() == "18 / 2000"
    phone.get_by_label("1~6주").check()
    # A choice can be taken back.
    phone.get_by_role("group", name="얼마나 오래").get_by_role("button", name="선택 지우기").click()
    assert not phone.get_by_label("1~6주").is_checked()
    phone.get_by_label("3개월 이상").check()
    phone.wait_for_function(SAVED)
    fits_the_phone(phone)
    screenshot(phone, "intake-03-complaint-phone-ko")
    phone.get_by_role("button", name="저장하고 계속").click()

    # Body map: tap the neck on the front figure and the left low back on the back figure.
    phone.locator('svg [data-region="neck"]').first.click()
    phone.locator("#pain_neck").select_option("7")
    phone.locator('#region-neck input[value="aching"]').check()
    assert phone.locator('svg [data-region="low_back_left"]').count() == 1  # back figure only
    phone.locator('svg [data-region="low_back_left"]').click()
    phone.locator("#pain_low_back_left").select_option("4")
    phone.wait_for_function(SAVED)
    fits_the_phone(phone)
    phone.locator(".bodymap").screenshot(path=str(SCREENSHOT_DIR / "intake-04-bodymap-svg.png"))
    screenshot(phone, "intake-04-bodymap-phone-ko")

    # Half-way reload: nothing is lost.
    phone.reload()
    assert phone.locator("#pain_neck").input_value() == "7"
    assert phone.locator('#region-neck input[value="aching"]').is_checked()
    assert phone.locator('svg [data-region="neck"].hurt').count() == 2  # front and back figure
    link.refresh_from_db()
    assert link.draft["complaints"].startswith("목과 어깨")
    phone.get_by_role("button", name="저장하고 계속").click()

    # Treatments: each one its own labelled group on a phone, no table of bare buttons.
    phone.get_by_role("group", name="마사지").get_by_label("변화 없음").check()
    surgery = phone.get_by_role("group", name="수술", exact=True)
    surgery.get_by_label("도움이 됨").check()
    surgery.get_by_role("button", name="선택 지우기").click()
    assert not surgery.get_by_label("도움이 됨").is_checked()
    phone.locator("#treat_notes").fill(LONG_NOTE)
    phone.wait_for_function(SAVED)
    fits_the_phone(phone)
    screenshot(phone, "intake-05-history-phone-ko")
    phone.get_by_role("button", name="저장하고 계속").click()

    # Safety questions: a sudden, worst-ever headache (V2) is an emergency finding.
    phone.locator('input[name="rf_V2"][value="yes"]').check()
    phone.locator('input[name="rf_G2"][value="no"]').check()
    fits_the_phone(phone)
    screenshot(phone, "intake-06-safety-phone-ko")
    phone.get_by_role("button", name="저장하고 계속").click()

    # NPRS 6.
    phone.locator('input[name="q_nprs_q1"][value="6"]').check()
    fits_the_phone(phone)
    screenshot(phone, "intake-07-questionnaire-phone-ko")
    phone.get_by_role("button", name="저장하고 계속").click()

    # The review shows every answer, in words.
    review = phone.locator(".review").inner_text()
    for words in (
        "목과 어깨가 아프고",
        "3개월 이상",
        "목: 7/10",
        "허리, 왼쪽: 4/10",
        "마사지: 변화 없음",
        "가장 심하거나 벼락 치듯",
        "통증 점수 (0-10): 1개 중 1개 답함 · 6",  # the patient's own title of the NPRS
    ):
        assert words in review, words
    assert "수술:" not in review  # the cleared choice is gone
    fits_the_phone(phone)
    screenshot(phone, "intake-08-review-phone-ko")
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

    desk_client = personas.login(personas.desk, "ko")
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
    screenshot(desk_phone, "intake-09-desk-chart-status-phone-ko")
    desk_context.close()

    # The clinician reads the intake on a phone, in Korean: consent, answers in words, the
    # 2,000-character note wrapped inside the screen.
    clinician_client = personas.login(personas.clinician, "ko")
    clinician_context = chromium.new_context(
        viewport={"width": PHONE_WIDTH, "height": 740}, locale="ko-KR", is_mobile=True
    )
    clinician_context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": clinician_client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    reader = clinician_context.new_page()
    reader.set_default_timeout(15_000)
    from atlaschart.intake.models import Intake

    intake = Intake.objects.get(link=link)
    reader.goto(f"{live_server.url}/intake/{intake.pk}/")
    record = reader.locator(".intake-record").inner_text()
    for words in ("개인정보(수집·이용): 동의함", "건강정보(민감정보): 동의함", "허리, 왼쪽: 4/10"):
        assert words in record, words
    assert LONG_NOTE in record
    assert reader.evaluate("document.documentElement.scrollWidth") == PHONE_WIDTH
    screenshot(reader, "intake-10-clinician-detail-phone-ko")
    clinician_context.close()
