"""Follow-up questionnaires: links, the patient's pages (PSFS re-rating, GROC), bad input, spent
links, isolation, and the change shown on the chart.

Expected changes are worked out by hand from the published thresholds and the change rule of
docs/instruments.md (sources in docs/sources.md, Questionnaires), never by calling the code under
test:

* NPRS: MCID 2 points and 30 %, MDC about 2 points (Ostelo 2008; Farrar 2001), substantial at
  50 % (IMMPACT, Dworkin 2008).
* PSFS mean: MCID about 2, MDC90 2 points; a single activity MDC90 3 points (Stratford 1995 via
  the precisionphysio summary); no percentage criterion; substantial at 50 %.
* RMDQ: MCID 5 points or 30 % (Ostelo 2008); no MDC is published.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories.intake import (
    answered,
    link_of,
    submitted_followup,
    submitted_intake,
    token_in,
)

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.intake.models import (
    FollowUp,
    Intake,
    IntakeLink,
    QuestionnaireResponse,
)
from atlaschart.intake.services import save_wording_pack
from atlaschart.lib.actor import Actor
from atlaschart.measure.instruments import check_wording_pack, load_wording_pack
from atlaschart.safety.models import ScreenRecord

pytestmark = pytest.mark.django_db


BASELINE = {
    "q_nprs_q1": "7",
    "q_psfs_a1_name": "계단 오르기",
    "q_psfs_a1_score": "3",
    "q_psfs_a2_name": "고개 돌려 운전하기",
    "q_psfs_a2_score": "4",
    # Named but never rated: not part of the baseline mean, so not carried over.
    "q_psfs_a3_name": "수영",
}


def create_followup(personas, instruments, user=None, **extra) -> tuple[object, str]:
    client = personas.login(user or personas.clinician)
    response = client.post(
        reverse("intake:followup_create", args=[personas.patient.pk]),
        {"instruments": list(instruments), **extra},
    )
    token = token_in(response.content.decode()) if response.status_code == 200 else ""
    return response, token


def autosave(token: str, body: object, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    return Client().post(
        reverse("intake:autosave", args=[token]), data=data, content_type="application/json"
    )


def chart(personas, language: str | None = None) -> str:
    response = personas.login(personas.clinician, language).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def change_row(page: str, instrument: str) -> str:
    start = page.index(f'data-instrument="{instrument}"')
    return page[start : page.index("</tr>", start)]


# --- creating a follow-up ----------------------------------------------------------------


def test_the_form_ticks_what_the_patient_answered_and_names_the_carried_activities(
    personas,
) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    page = personas.login(personas.clinician).get(
        reverse("intake:followup_create", args=[personas.patient.pk])
    )
    assert page.status_code == 200
    body = page.content.decode()
    boxes = {
        re.search(r'value="([^"]+)"', tag).group(1): "checked" in tag
        for tag in re.findall(r'<input type="checkbox" name="instruments"[^>]*>', body)
    }
    assert boxes == {
        "nprs": True,
        "psfs": True,
        "start-back": False,
        "ndi": False,
        "odi": False,
        "rmdq": False,
        "bournemouth-neck": False,
        "bournemouth-back": False,
        "hit-6": False,
        "dhi": False,
        "groc": True,
    }
    assert "계단 오르기 · 고개 돌려 운전하기" in body
    assert "수영" not in body  # never rated at baseline


def test_the_desk_sends_a_follow_up_without_seeing_the_rated_activities(personas) -> None:
    """The activity names are the patient's answers: front desk may send the link, not read."""
    submitted_intake(personas.desk, personas.patient, BASELINE)
    desk = personas.login(personas.desk)
    page = desk.get(reverse("intake:followup_create", args=[personas.patient.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "계단 오르기" not in body and "고개 돌려 운전하기" not in body
    assert "re-rates the activities rated at intake" in body or "접수 때 평가한 활동" in body
    made = desk.post(
        reverse("intake:followup_create", args=[personas.patient.pk]),
        {"instruments": ["nprs", "psfs"]},
    )
    assert made.status_code == 200 and "/intake/p/" in made.content.decode()
    assert "계단 오르기" not in made.content.decode()


def test_a_followup_link_carries_the_rated_activities_and_is_shown_once(personas) -> None:
    intake = submitted_intake(personas.desk, personas.patient, BASELINE, language="en")
    response, token = create_followup(personas, ["groc", "psfs", "nprs"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and f"/intake/p/{token}/pain/" in page
    link = link_of(token)
    assert link.kind == "followup"
    assert link.instruments == ["nprs", "psfs", "groc"]  # page order, GROC last
    baseline = QuestionnaireResponse.objects.get(intake=intake, instrument="psfs")
    assert link.carried == {
        "psfs_activities": ["계단 오르기", "고개 돌려 운전하기"],
        "psfs_baseline": baseline.pk,
        # Body-map regions marked at intake, re-asked by the follow-up (none in this baseline).
        "regions": [],
    }
    # The intake's language, so that the scores compare.
    assert link.language == "en"
    assert link.expires_at - link.created_at == timedelta(hours=72)
    assert token not in json.dumps(list(IntakeLink.objects.values()), default=str)
    assert AccessLogEntry.objects.filter(
        user=personas.clinician,
        action=Action.CREATE,
        object_type="intake.intakelink",
        object_id=str(link.pk),
    ).exists()


def test_fill_now_opens_the_patient_pages_on_this_device(personas) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    client = personas.login(personas.desk)
    response = client.post(
        reverse("intake:followup_create", args=[personas.patient.pk]),
        {"instruments": ["nprs", "groc"], "fill_now": "1"},
    )
    assert response.status_code == 302
    assert response.url.startswith("/intake/p/") and response.url.endswith("/pain/")
    assert link_of(response.url.split("/")[3]).kind == "followup"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("instruments", "with_intake", "message"),
    [
        pytest.param([], True, "Choose at least one questionnaire.", id="nothing-chosen"),
        pytest.param(["psfs"], False, "can only be repeated after", id="psfs-without-baseline"),
        pytest.param(["nprs", "ndi"], True, "Upload the wording file first for", id="no-pack"),
        pytest.param(["nprs", "posture"], True, "not one of the available", id="unknown"),
    ],
)
def test_a_followup_that_cannot_be_made_says_why_and_makes_nothing(
    personas, instruments, with_intake, message
) -> None:
    if with_intake:
        submitted_intake(personas.desk, personas.patient, BASELINE)
    links = IntakeLink.objects.count()
    response, _token = create_followup(personas, instruments)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert IntakeLink.objects.count() == links


def test_the_refusal_is_worded_in_korean_for_a_korean_user(personas) -> None:
    client = personas.login(personas.clinician, "ko")
    response = client.post(
        reverse("intake:followup_create", args=[personas.patient.pk]), {"instruments": ["psfs"]}
    )
    assert response.status_code == 400
    assert "PSFS는 환자가 (문진에서) 활동을 한 번 평가한 뒤에만" in response.content.decode()


# --- the patient's pages -----------------------------------------------------------------


def test_the_patient_rerates_the_same_activities_and_rates_the_overall_change(personas) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    screens = ScreenRecord.objects.count()
    _response, token = create_followup(personas, ["nprs", "psfs", "groc"])
    client = Client()
    page = client.get(reverse("intake:fill", args=[token, "questionnaires"])).content.decode()
    assert 'lang="ko"' in page
    # The activities are shown as text; the patient cannot rename them or add new ones.
    assert "계단 오르기" in page and "고개 돌려 운전하기" in page
    assert 'name="q_psfs_a1_name"' not in page and 'name="q_psfs_a3_score"' not in page
    assert "첫 방문 때 아래 활동들을 알려 주셨습니다" in page  # core's follow-up instructions
    # GROC: fifteen labelled choices, best first (Jaeschke 1989 layout).
    assert page.count('name="q_groc_q1"') == 15
    assert "+5: 상당히 좋아졌다" in page
    # Safety and complaint steps belong to the intake only.
    assert client.get(reverse("intake:fill", args=[token, "safety"])).status_code == 302

    saved = autosave(
        token,
        {
            "step": "questionnaires",
            "fields": {"q_nprs_q1": "3", "q_psfs_a1_score": "7", "q_groc_q1": "5"},
        },
    )
    assert saved.status_code == 200 and saved.json()["ok"] is True
    # The per-step post (no JavaScript) replaces the step's answers with the same checks.
    step = client.post(
        reverse("intake:fill", args=[token, "questionnaires"]),
        {
            "q_nprs_q1": "3",
            "q_psfs_a1_score": "7",
            "q_psfs_a2_score": "6",
            "q_groc_q1": "5",
            "go": "next",
        },
    )
    assert step.status_code == 302 and step.url.endswith("/review/")
    review = client.get(step.url).content.decode()
    assert "<strong>하기 어려운 활동</strong>: 2개 중 2개 답함" in review
    assert "점수를 계산하지 못할 수 있습니다" not in review  # nothing left unanswered
    assert "<strong>전반적인 변화</strong>: 1개 중 1개 답함 · +5: 상당히 좋아졌다" in review
    assert client.post(reverse("intake:submit", args=[token])).status_code == 302

    followup = FollowUp.objects.get(patient=personas.patient)
    scores = {r.instrument: r for r in QuestionnaireResponse.objects.filter(followup=followup)}
    assert set(scores) == {"nprs", "psfs", "groc"}
    assert scores["nprs"].score == 3
    # PSFS mean of 7 and 6 = 6.5 (Stratford 1995: sum / number of activities).
    assert scores["psfs"].score == 6.5
    assert scores["psfs"].answers == {
        "activities": [
            {"name": "계단 오르기", "score": 7},
            {"name": "고개 돌려 운전하기", "score": 6},
        ]
    }
    assert scores["groc"].score == 5 and scores["groc"].algorithm == "instrument.groc@atlaschart-1"
    # No red-flag questions were asked, so no new safety screen replaces the latest one.
    assert ScreenRecord.objects.count() == screens
    assert Intake.objects.count() == 1
    assert link_of(token).submitted_at is not None
    assert AccessLogEntry.objects.filter(
        user=None, action=Action.CREATE, object_type="intake.followup"
    ).exists()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param(
            {"step": "questionnaires", "fields": {"q_psfs_a1_name": "달리기"}},
            "Unknown field",
            id="renaming-an-activity",
        ),
        pytest.param(
            {"step": "questionnaires", "fields": {"q_psfs_a3_score": "5"}},
            "Unknown field",
            id="a-third-activity",
        ),
        pytest.param(
            {"step": "questionnaires", "fields": {"q_psfs_a1_score": "11"}},
            "not a valid choice",
            id="rating-above-10",
        ),
        pytest.param(
            {"step": "questionnaires", "fields": {"q_groc_q1": "8"}},
            "not a valid choice",
            id="groc-above-7",
        ),
        pytest.param(
            {"step": "questionnaires", "fields": {"q_groc_q1": 5}},
            "expected a text",
            id="groc-as-number",
        ),
        pytest.param({"step": "safety", "fields": {}}, "Unknown step", id="intake-only-step"),
    ],
)
def test_bad_followup_answers_are_a_400_and_save_nothing(personas, body, fragment) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    _response, token = create_followup(personas, ["nprs", "psfs", "groc"])
    link = link_of(token)
    answered(link, {"q_nprs_q1": "4"}, language="en")
    response = autosave(token, body)
    assert response.status_code == 400
    assert response.json()["ok"] is False and fragment in response.json()["error"]
    link.refresh_from_db()
    assert link.draft == {"q_nprs_q1": "4"}


def test_a_bad_step_post_shows_the_message_in_korean_and_keeps_the_draft(personas) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    _response, token = create_followup(personas, ["nprs", "psfs", "groc"])
    link = link_of(token)
    answered(link, {"q_nprs_q1": "4"})
    response = Client().post(
        reverse("intake:fill", args=[token, "questionnaires"]),
        {"q_nprs_q1": "2", "q_groc_q1": "9", "go": "next"},
    )
    assert response.status_code == 400
    assert "전반적 변화 평가(GROC) 1번 문항: 올바른 선택이 아닙니다." in response.content.decode()
    link.refresh_from_db()
    assert link.draft == {"q_nprs_q1": "4"}


def test_a_used_or_expired_followup_link_shows_the_plain_page(personas) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    _r, used = create_followup(personas, ["nprs"])
    _r, expired = create_followup(personas, ["nprs"])
    client = Client()
    assert client.post(reverse("intake:submit", args=[used])).status_code == 302
    # Past its expiry: a state no service makes (a link is created with the clinic's expiry).
    IntakeLink.objects.filter(pk=link_of(expired).pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    for token in (used, expired):
        page = client.get(reverse("intake:fill", args=[token, "questionnaires"]))
        assert page.status_code == 410
        assert personas.patient.name not in page.content.decode()
        assert autosave(token, {"step": "questionnaires", "fields": {}}).status_code == 410
        assert client.post(reverse("intake:submit", args=[token])).status_code == 410
    assert FollowUp.objects.count() == 1


def test_another_clinic_cannot_make_or_read_followups(personas) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    _r, token = create_followup(personas, ["nprs"])
    Client().post(reverse("intake:submit", args=[token]))
    followup = FollowUp.objects.get()
    outsider = personas.login(personas.outsider)
    url = reverse("intake:followup_create", args=[personas.patient.pk])
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"instruments": ["nprs"]}).status_code == 404
    assert outsider.get(reverse("intake:followup_detail", args=[followup.pk])).status_code == 404
    assert IntakeLink.objects.filter(kind="followup").count() == 1
    assert not AccessLogEntry.objects.filter(
        user=personas.outsider, patient=personas.patient
    ).exists()
    # The clinic's own clinician reads it, and that is logged.
    mine = personas.login(personas.clinician).get(
        reverse("intake:followup_detail", args=[followup.pk])
    )
    assert mine.status_code == 200
    assert AccessLogEntry.objects.filter(
        user=personas.clinician, action=Action.VIEW, object_type="intake.followup"
    ).exists()


# --- the chart ---------------------------------------------------------------------------


def test_the_chart_shows_baseline_latest_change_and_the_cores_interpretation(personas) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    submitted_followup(
        personas.clinician,
        personas.patient,
        ["nprs", "psfs", "groc"],
        {"q_nprs_q1": "3", "q_psfs_a1_score": "7", "q_psfs_a2_score": "6", "q_groc_q1": "5"},
    )
    page = chart(personas)
    # NPRS 7 -> 3: change 4 points >= max(MCID 2, MDC 2); room to improve 7, 4/7 = 57.14 %,
    # >= 30 % and >= 50 % -> substantially improved (Ostelo 2008; IMMPACT 50 %).
    nprs = change_row(page, "nprs")
    assert 'data-category="substantially-improved"' in nprs
    assert "<strong>7</strong>" in nprs and "<strong>3</strong>" in nprs
    assert '<strong class="change-diff">-4</strong> points' in nprs
    assert "57.14% of the possible improvement" in nprs
    assert "Better: the change is at least the measurement error (MDC) and the MCID" in nprs
    assert "MCID 2 points; MDC 2 points" in nprs
    assert "Ostelo RWJG et al., 2008, Spine 33(1):90-94" in nprs
    assert ".md" not in nprs  # a publication, never a file the user does not have
    # PSFS mean 3.5 -> 6.5: +3 >= MDC90 2 and MCID 2; room 6.5, 3/6.5 = 46.15 % < 50 %
    # -> improved, not substantially.
    psfs = change_row(page, "psfs")
    assert 'data-category="improved"' in psfs
    assert "<strong>3.5</strong>" in psfs and "<strong>6.5</strong>" in psfs
    assert '<strong class="change-diff">+3</strong>' in psfs
    assert "46.15% of the possible improvement" in psfs
    # Activity by activity against the single-activity MDC90 of 3 points: 3 -> 7 (+4, room 7)
    # is beyond it, 4 -> 6 (+2) is within it.
    first = psfs[psfs.index("계단 오르기") : psfs.index("고개 돌려 운전하기")]
    second = psfs[psfs.index("고개 돌려 운전하기") :]
    assert "3 → 7 (+4)" in first and "MDC 3 points" in first
    assert "Better: the change is at least the measurement error (MDC)<" in first
    assert "4 → 6 (+2)" in second and "Within measurement error: no change is claimed" in second
    # GROC: the patient's own rating, shown as the anchor without thresholds.
    groc = change_row(page, "groc")
    assert "<strong>+5</strong>" in groc and "+5: Quite a bit better" in groc
    assert "Threshold" not in groc


def test_a_small_change_is_within_measurement_error_and_a_decline_is_worse(personas) -> None:
    submitted_intake(personas.desk, personas.patient, {"q_nprs_q1": "3"}, instruments=("nprs",))
    # NPRS 3 -> 4: a decline of 1 < MDC 2 -> unchanged.
    submitted_followup(personas.clinician, personas.patient, ["nprs"], {"q_nprs_q1": "4"})
    row = change_row(chart(personas), "nprs")
    assert 'data-category="unchanged"' in row
    assert '<strong class="change-diff">+1</strong>' in row
    assert "Within measurement error or below the MCID: no change is claimed" in row
    assert "Better" not in row
    # NPRS 3 -> 6: a decline of 3 >= MDC 2 -> worse (the latest form is compared).
    submitted_followup(personas.clinician, personas.patient, ["nprs"], {"q_nprs_q1": "6"})
    row = change_row(chart(personas), "nprs")
    assert 'data-category="worse"' in row
    assert "Worse: the decline is at least the measurement error (MDC)" in row
    assert "lower is better · " not in row  # no share of an improvement for a decline


def test_without_a_published_mdc_a_change_past_the_mcid_is_not_called_an_improvement(
    personas,
) -> None:
    pack = {
        "instrument": "rmdq",
        "version": "rmdq-24",
        "language": "ko",
        "title": "허리 (시험용 문구)",
        "items": {f"q{n}": {"text": f"문장 {n}"} for n in range(1, 25)},
    }
    assert check_wording_pack(pack) == []
    # The clinic admin uploads it (the wording-file page's save).
    save_wording_pack(Actor.system(personas.admin, via="test"), load_wording_pack(pack), pack)
    ticked = {f"q_rmdq_q{n}": "1" for n in range(1, 11)}
    submitted_intake(personas.desk, personas.patient, ticked, instruments=("rmdq",))
    # RMDQ 10 -> 4: change 6 >= MCID 5 and 60 % >= 30 % (Ostelo 2008); no MDC is published, so
    # the chart must not call it an improvement beyond measurement error.
    submitted_followup(
        personas.clinician, personas.patient, ["rmdq"], {f"q_rmdq_q{n}": "1" for n in range(1, 5)}
    )
    row = change_row(chart(personas), "rmdq")
    assert "<strong>10</strong>" in row and "<strong>4</strong>" in row
    assert "Reaches the MCID, but no measurement error (MDC) is published" in row
    assert "no published MDC" in row and "Better" not in row


def test_forms_in_two_languages_are_not_compared(personas) -> None:
    submitted_intake(
        personas.desk, personas.patient, {"q_nprs_q1": "8"}, instruments=("nprs",), language="ko"
    )
    submitted_followup(
        personas.clinician, personas.patient, ["nprs"], {"q_nprs_q1": "2"}, language="en"
    )
    row = change_row(chart(personas), "nprs")
    assert 'data-category="not-evaluable"' in row
    assert "answered in different languages (ko and en)" in row
    assert "Better" not in row


def test_the_chart_speaks_korean(personas) -> None:
    submitted_intake(personas.desk, personas.patient, {"q_nprs_q1": "7"}, instruments=("nprs",))
    submitted_followup(personas.clinician, personas.patient, ["nprs"], {"q_nprs_q1": "3"})
    page = chart(personas, "ko")
    row = change_row(page, "nprs")
    assert "좋아짐" in row and "측정 오차(MDC)" in row


def test_the_chart_query_count_does_not_grow_with_followups(personas) -> None:
    submitted_intake(personas.desk, personas.patient, BASELINE)
    submitted_followup(
        personas.clinician,
        personas.patient,
        ["nprs", "psfs", "groc"],
        {"q_nprs_q1": "5", "q_groc_q1": "2"},
    )
    client = personas.login(personas.clinician)
    url = reverse("patients:chart", args=[personas.patient.pk])
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(4):
        submitted_followup(
            personas.clinician,
            personas.patient,
            ["nprs", "psfs", "groc"],
            {"q_nprs_q1": str(n), "q_psfs_a1_score": "8", "q_groc_q1": "3"},
        )
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five.captured_queries) == len(one.captured_queries)
