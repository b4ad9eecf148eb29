"""A clinician sends follow-up questionnaires; the patient re-rates them on a phone in Korean
(the PSFS activities named at intake come back, only ratings are asked, plus the global rating of
change); the clinician then reads the change on the chart.

Expected interpretation, by hand from the change rule of docs/instruments.md: NPRS 7 -> 3 is a
change of 4 points >= max(MCID 2, MDC 2) and 4/7 = 57 % >= 50 % (Ostelo 2008; IMMPACT) ->
substantially improved; PSFS mean 3.5 -> 6.5 is +3 >= MDC90 2 with 3/6.5 = 46 % < 50 % ->
improved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SAVED = (
    "!document.querySelector('form.intake-form').dataset.dirty"
    " && document.querySelector('.save-status').textContent.includes('저장됨')"
)


def baseline_intake(personas) -> None:
    """The intake a week earlier: NPRS 7; PSFS stairs 3, turning the head while driving 4."""
    from atlaschart.intake.models import IntakeLink

    desk = personas.login(personas.desk)
    page = desk.post(reverse("intake:link_create", args=[personas.patient.pk])).content.decode()
    token = page.split("/intake/p/")[1].split("/")[0]
    IntakeLink.objects.filter(patient=personas.patient).update(
        instruments=["nprs", "psfs"],
        draft={
            "consent_personal": "yes",  # the patient agreed on the first step
            "consent_health": "yes",
            "q_nprs_q1": "7",
            "q_psfs_a1_name": "계단 오르기",
            "q_psfs_a1_score": "3",
            "q_psfs_a2_name": "고개 돌려 운전하기",
            "q_psfs_a2_score": "4",
        },
    )
    assert Client().post(reverse("intake:submit", args=[token])).status_code == 302


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").last.click()


def test_followup_on_a_phone_in_korean_and_the_change_on_the_chart(
    live_server, chromium, page, personas
) -> None:
    from atlaschart.intake.models import FollowUp, QuestionnaireResponse

    baseline_intake(personas)

    # The clinician chooses the follow-up from the chart.
    sign_in(page, live_server.url, "clinician", personas.password)
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("link", name="Follow-up questionnaires").click()
    for ticked in ("nprs", "psfs", "groc"):
        assert page.locator(f'input[name="instruments"][value="{ticked}"]').is_checked()
    assert not page.locator('input[name="instruments"][value="ndi"]').is_checked()
    assert "계단 오르기 · 고개 돌려 운전하기" in page.inner_text("main")
    screenshot(page, "followup-01-choose")
    page.get_by_role("button", name="Create follow-up link").click()
    url = page.locator("input.link-url").input_value()
    assert "/pain/" in url and page.locator(".qr svg").count() == 1
    screenshot(page, "followup-02-link")

    # The patient's phone.
    phone_context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(url)
    assert phone.locator("html").get_attribute("lang") == "ko"
    assert "지금 상태가 어떤지" in phone.inner_text(".followup-intro")
    # Three steps (the body map, questionnaires, review), no complaint or safety pages. This
    # intake had no body map, so every region is offered fresh.
    assert phone.locator(".stepper li").count() == 3
    phone.locator("#pain_neck").select_option("3", force=True)
    phone.get_by_role("button", name="저장하고 계속").click()
    phone.locator('input[name="q_nprs_q1"][value="3"]').check()
    # The activities come back as text with a rating box each; no new activity can be added.
    assert phone.locator(".psfs-name").all_inner_texts() == ["계단 오르기", "고개 돌려 운전하기"]
    assert phone.locator('input[name^="q_psfs_"]').count() == 0
    phone.get_by_label("활동 1: 계단 오르기").select_option("7")
    phone.get_by_label("활동 2: 고개 돌려 운전하기").select_option("6")
    phone.get_by_label("+5: 상당히 좋아졌다").check()
    phone.wait_for_function(SAVED)
    screenshot(phone, "followup-03-phone-ko")

    # A reload keeps every answer.
    phone.reload()
    assert phone.locator("#q_psfs_a2_score").input_value() == "6"
    assert phone.get_by_label("+5: 상당히 좋아졌다").is_checked()
    phone.get_by_role("button", name="저장하고 계속").click()
    review = phone.inner_text(".review")
    assert "하기 어려운 활동: 2개 중 2개 답함" in review
    assert "+5: 상당히 좋아졌다" in review
    screenshot(phone, "followup-04-review-phone-ko")
    phone.get_by_role("button", name="클리닉으로 보내기").click()
    assert "감사합니다" in phone.content()
    phone.goto(url)
    assert "사용할 수 없습니다" in phone.content()
    phone_context.close()

    followup = FollowUp.objects.get(patient=personas.patient)
    assert {
        r.instrument: r.score for r in QuestionnaireResponse.objects.filter(followup=followup)
    } == {"nprs": 3.0, "psfs": 6.5, "groc": 5.0}

    # The clinician's chart: baseline, latest, change and the core's reading of it.
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    nprs = page.locator('.change-row[data-instrument="nprs"]')
    assert nprs.get_attribute("data-category") == "substantially-improved"
    assert "-4 points" in nprs.inner_text()
    assert "Better" in nprs.inner_text() and "Ostelo RWJG et al., 2008, Spine" in nprs.inner_text()
    psfs = page.locator('.change-row[data-instrument="psfs"]')
    assert psfs.get_attribute("data-category") == "improved"
    assert "3.5" in psfs.inner_text() and "6.5" in psfs.inner_text()
    groc = page.locator('.change-row[data-instrument="groc"]')
    assert "+5: Quite a bit better" in groc.inner_text()
    assert page.locator(".followup-list li").count() == 1
    screenshot(page, "followup-05-chart-change")
