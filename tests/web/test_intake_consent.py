"""Consent first, revocable links, the empty-link warning, defaults and records in words.

Expected wording and values are written out by hand from docs/intake.md (PIPA arts.
15, 22 and 23: separate consent for health data), never read back from the code under test."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories.intake import CONSENT, answered, intake_link, link_of

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.intake import services
from atlaschart.intake.models import Intake, IntakeLink, IntakeSettings, QuestionnaireResponse
from atlaschart.safety.models import ScreenRecord

pytestmark = pytest.mark.django_db


def new_link(personas, language: str = "ko", draft: dict | None = None) -> tuple[IntakeLink, str]:
    """A link the desk made, asking the NPRS, opened in ``language`` and answered with
    ``draft`` (field name -> posted value) by the patient."""
    link, token = intake_link(personas.desk, personas.patient, ["nprs"])
    answered(link, draft or {}, language)
    return link, token


def autosave(token: str, step: str, fields: dict):
    return Client().post(
        reverse("intake:autosave", args=[token]),
        data=json.dumps({"step": step, "fields": fields}).encode(),
        content_type="application/json",
    )


def post_step(token: str, step: str, data: dict, go: str = "next"):
    return Client().post(reverse("intake:fill", args=[token, step]), {**data, "go": go})


# --- consent first ---------------------------------------------------------------------------


def test_the_first_step_is_consent_with_purpose_items_retention_and_the_right_to_refuse(
    personas,
) -> None:
    _link, token = new_link(personas)
    # A later step opened first goes back to the consent step: nothing is asked before it.
    response = Client().get(reverse("intake:fill", args=[token, "complaints"]))
    assert response.status_code == 302 and response["Location"].endswith("/consent/")
    page = Client().get(reverse("intake:fill", args=[token, "consent"])).content.decode()
    assert personas.seoul.name in page  # the clinic's name
    for words in (
        "수집·이용 목적",
        "수집하는 항목",
        "보유 기간",
        "10년",
        "동의를 거부할 권리",
        "거부해도 진료를 받을 수 있습니다",
        "건강정보(민감정보)",
    ):
        assert words in page, words
    # Two questions, answered apart: personal data, then health data.
    assert page.count('name="consent_personal"') == 2 and page.count('name="consent_health"') == 2


def test_no_health_answer_is_taken_before_consent(personas) -> None:
    link, token = new_link(personas)
    response = autosave(token, "pain", {"pain_neck": "6"})
    assert response.status_code == 400 and "동의" in response.json()["error"]
    link.refresh_from_db()
    assert link.draft == {} and link.logged_steps == []


def test_both_consents_open_the_questions_and_are_recorded_and_shown(personas) -> None:
    link, token = new_link(personas)
    response = post_step(token, "consent", CONSENT)
    assert response.status_code == 302 and response["Location"].endswith("/complaints/")
    assert autosave(token, "pain", {"pain_neck": "6"}).status_code == 200
    assert Client().post(reverse("intake:submit", args=[token])).status_code == 302
    intake = Intake.objects.get(link=link)
    assert intake.consent_personal is True and intake.consent_health is True
    assert intake.consent_version and intake.answers["pain_neck"] == "6"
    chart = personas.login(personas.clinician, "ko").get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    assert "동의함" in chart.content.decode()
    detail = personas.login(personas.clinician, "ko").get(
        reverse("intake:detail", args=[intake.pk])
    )
    text = detail.content.decode()
    assert 'data-consent="given"' in text and "개인정보(수집·이용): <strong>동의함" in text


@pytest.mark.parametrize(
    ("language", "explained", "shown"),
    [
        (
            "ko",
            "동의하지 않으면 이곳에서는 건강에 관한 어떤 정보도 받지 않습니다",
            "환자가 동의하지 않아 건강 관련 답변은 보관하지 않았습니다",
        ),
        (
            "en",
            "Without your consent nothing about your health is collected here",
            "The patient refused consent: no health answers were kept",
        ),
    ],
)
def test_refusing_health_data_is_explained_recorded_and_keeps_no_health_answer(
    personas, language, explained, shown
) -> None:
    link, token = new_link(personas, language=language)
    post_step(token, "consent", CONSENT)
    autosave(token, "complaints", {"complaints": "목이 아파요"})
    # The patient changes their mind: personal data yes, health data no.
    response = post_step(token, "consent", {"consent_personal": "yes", "consent_health": "no"})
    assert response.status_code == 302 and response["Location"].endswith("/review/")
    link.refresh_from_db()
    assert link.draft == {"consent_personal": "yes", "consent_health": "no"}  # complaint dropped
    review = Client().get(reverse("intake:fill", args=[token, "review"])).content.decode()
    assert explained in review
    # The health steps stay closed.
    assert (
        Client().get(reverse("intake:fill", args=[token, "pain"]))["Location"].endswith("/review/")
    )
    assert Client().post(reverse("intake:submit", args=[token])).status_code == 302
    intake = Intake.objects.get(link=link)
    assert (intake.consent_personal, intake.consent_health) == (True, False)
    assert intake.answers == {"consent_personal": "yes", "consent_health": "no"}
    assert not QuestionnaireResponse.objects.filter(intake=intake).exists()
    assert not ScreenRecord.objects.filter(patient=personas.patient).exists()
    assert AccessLogEntry.objects.filter(
        patient=personas.patient, detail__contains="consent refused"
    ).exists()
    clinician = personas.login(personas.clinician, language)
    detail = clinician.get(reverse("intake:detail", args=[intake.pk])).content.decode()
    assert shown in detail and 'data-consent="refused"' in detail
    chart = clinician.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert "consent-refused" in chart
    # The front desk sees it too (so that the questions are asked in person), never answers.
    desk_chart = personas.login(personas.desk, language).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    assert "consent-refused" in desk_chart.content.decode()


def test_sending_before_any_consent_answer_goes_back_to_consent(personas) -> None:
    link, token = new_link(personas)
    response = Client().post(reverse("intake:submit", args=[token]))
    assert response.status_code == 302 and response["Location"].endswith("/consent/")
    assert not Intake.objects.filter(link=link).exists()


# --- revocation ------------------------------------------------------------------------------


def test_the_desk_revokes_an_open_link_and_its_token_opens_nothing(personas) -> None:
    link, token = new_link(personas, draft={**CONSENT, "complaints": "x"})
    desk = personas.login(personas.desk, "ko")
    response = desk.post(reverse("intake:link_revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == personas.desk
    assert link.draft == {}  # never sent, so not kept
    assert Client().get(reverse("intake:fill", args=[token, "consent"])).status_code == 410
    assert autosave(token, "complaints", {"complaints": "y"}).status_code == 410
    assert Client().post(reverse("intake:submit", args=[token])).status_code == 410
    assert AccessLogEntry.objects.filter(
        patient=personas.patient, action=Action.UPDATE, detail="link revoked"
    ).exists()
    chart = desk.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert f'data-link="{link.pk}"' not in chart


def test_a_submitted_link_cannot_be_revoked_and_another_clinic_gets_404(personas) -> None:
    link, token = new_link(personas, draft=CONSENT)
    Client().post(reverse("intake:submit", args=[token]))
    response = personas.login(personas.desk, "ko").post(
        reverse("intake:link_revoke", args=[link.pk]), follow=True
    )
    assert "이미 사용된 링크" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None
    other, _token = new_link(personas)
    outsider = personas.login(personas.outsider, "ko")
    assert outsider.post(reverse("intake:link_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoking_needs_a_post(personas) -> None:
    link, _token = new_link(personas)
    assert (
        personas.login(personas.desk, "ko")
        .get(reverse("intake:link_revoke", args=[link.pk]))
        .status_code
        == 405
    )


# --- defaults and the empty-link warning -----------------------------------------------------


def test_a_new_clinic_asks_the_free_questionnaires(personas) -> None:
    assert not IntakeSettings.objects.filter(clinic=personas.seoul).exists()
    # Free to show (wording ships): NPRS, PSFS and the Keele STarT Back tool (docs/instruments.md).
    assert services.settings_for(personas.seoul.pk).instruments == ["nprs", "psfs", "start-back"]
    page = personas.login(personas.desk, "ko").post(
        reverse("intake:link_create", args=[personas.patient.pk])
    )
    token = page.content.decode().split("/intake/p/")[1].split("/")[0]
    link = IntakeLink.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())
    assert link.instruments == ["nprs", "psfs", "start-back"]
    form = personas.login(personas.admin, "ko").get(reverse("intake:settings")).content.decode()
    assert re.search(r'value="nprs"[^>]*checked', form)


def test_a_link_that_would_carry_no_questionnaire_warns_first(personas) -> None:
    admin = personas.login(personas.admin, "ko")
    admin.post(reverse("intake:settings"), {"expiry_hours": 72})  # every box unticked
    assert services.settings_for(personas.seoul.pk).instruments == []
    desk = personas.login(personas.desk, "ko")
    response = desk.post(reverse("intake:link_create", args=[personas.patient.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "설문지가 하나도 없습니다" in page
    assert "/intake/p/" not in page and not IntakeLink.objects.exists()
    # The admin is offered the settings; the desk is not (it could not open them).
    assert reverse("intake:settings") not in page
    assert (
        reverse("intake:settings")
        in admin.post(reverse("intake:link_create", args=[personas.patient.pk])).content.decode()
    )
    made = desk.post(reverse("intake:link_create", args=[personas.patient.pk]), {"empty_ok": "1"})
    assert "/intake/p/" in made.content.decode() and IntakeLink.objects.count() == 1


# --- records in words ------------------------------------------------------------------------

ANSWERS = {
    **CONSENT,
    "complaints": "목과 어깨가 아파요",
    "onset_kind": "injury",
    "duration": "gt12w",
    "pain_neck": "6",
    "quality_neck": ["aching"],
    "pain_low_back_left": "4",
    "pain_moves": "no",
    "treat_massage": "no_change",
    "sym_headache": "yes",
    "rf_V1": "current",
    "rf_V2": "no",
    "rf_V6": ["migraine", "smoking"],
    "q_nprs_q1": "3",
}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "ko",
            (
                "사고나 부상 후",
                "3개월 이상",
                "목: 6/10 (쑤시는 느낌)",
                "허리, 왼쪽: 4/10",
                "마사지: 변화 없음",
                "두통",
                "예, 지금 또는 최근 3일 이내",
                "편두통, 흡연",
                "숫자 통증 척도(NPRS)",
            ),
        ),
        (
            "en",
            (
                "After an accident or injury",
                "More than 3 months",
                "Neck: 6/10 (Aching)",
                "Low back, left: 4/10",
                "Massage: No change",
                "Headaches",
                "Yes, now or in the last 3 days",
                "Migraine headaches, Smoking",
                "Numeric Pain Rating Scale (NPRS)",
            ),
        ),
    ],
)
def test_the_intake_and_follow_up_pages_are_in_words_never_raw_values(
    personas, language, words
) -> None:
    link, token = new_link(personas, language=language, draft=dict(ANSWERS))
    Client().post(reverse("intake:submit", args=[token]))
    intake = Intake.objects.get(link=link)
    clinician = personas.login(personas.clinician, language)
    page = clinician.get(reverse("intake:detail", args=[intake.pk])).content.decode()
    for word in words:
        assert word in page, word
    body = page.split('<div class="intake-record">')[1]
    for raw in (">current<", ">no<", "migraine", "{'q1'", "'q1'", "no_change", "gt12w", "NPRS<"):
        assert raw not in body, raw
    followup = clinician.post(
        reverse("intake:followup_create", args=[personas.patient.pk]), {"instruments": ["nprs"]}
    )
    follow_token = followup.content.decode().split("/intake/p/")[1].split("/")[0]
    follow_link = link_of(follow_token)
    answered(follow_link, {"q_nprs_q1": "2"})
    Client().post(reverse("intake:submit", args=[follow_token]))
    from atlaschart.intake.models import FollowUp

    f = FollowUp.objects.get(link=follow_link)
    page = clinician.get(reverse("intake:followup_detail", args=[f.pk])).content.decode()
    body = page.split('<div class="intake-record">')[1]
    assert words[-1] in body and "{'q1'" not in body and "'q1'" not in body


def test_a_long_unbroken_note_is_set_to_wrap(personas) -> None:
    """The page's width itself is measured in the browser journey; here: the note is on the page
    whole, inside the wrapping container, with the stylesheet that wraps it."""
    note = "가" * 2000
    link, token = new_link(personas, draft={**CONSENT, "treat_notes": note})
    Client().post(reverse("intake:submit", args=[token]))
    intake = Intake.objects.get(link=link)
    page = personas.login(personas.clinician, "ko").get(reverse("intake:detail", args=[intake.pk]))
    text = page.content.decode()
    assert note in text.split('<div class="intake-record">')[1]
    assert "intake/record.css" in text
