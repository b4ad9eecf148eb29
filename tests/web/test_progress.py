"""The progress page: per-region pain (local and distant apart) with the NPRS threshold band,
questionnaires with their MCID/MDC band, the plain-words summary, in Korean and English; who may
see it; what it logs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories.care import visit
from tests.factories.exams import exam, leg
from tests.factories.intake import submitted_followup, submitted_intake
from tests.web.stories import INTAKE, pain_answers, progress_story

from atlaschart.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def page(personas, language: str, user=None) -> str:
    response = personas.login(user or personas.clinician, language).get(
        reverse("progress:patient", args=[personas.patient.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def test_english_summary_counts_regions_beyond_measurement_error(personas) -> None:
    progress_story(personas)
    text = page(personas, "en")
    # Regions in body-map order. Hand count (NPRS threshold 2 points): neck 8->3 better, upper
    # back 6->5 unchanged, between the shoulder blades 5->2 better, low back 4->6 worse, head
    # 6->2 better.
    assert (
        "3 of 5 regions better beyond measurement error (Head or face, Neck, Between the "
        "shoulder blades, left), 1 unchanged (within measurement error), 1 worse (Low back, right)."
    ) in text
    # Local: neck and head, both better; distant: 1 of 3 better.
    assert "2 of 2 regions better beyond measurement error (Head or face, Neck)" in text
    assert (
        "1 of 3 regions better beyond measurement error (Between the shoulder blades, left)" in text
    )
    assert text.count('<svg class="progress-chart"') == 6  # 5 regions + the NPRS questionnaire
    assert "Pain (NPRS, 0–10 points)" in text and ">Date (" in text
    assert 'class="band"' in text
    assert "do not show what caused it" in text
    assert text.count('class="marker') == 6 * 3  # three visits on each of the six charts
    assert "caused by" not in text.lower()
    # The neck's band is baseline 8 ± 2 points, the values 8, 6, 3 in the table.
    assert "better beyond measurement error: 8 → 3 points (change -5)" in text


def test_korean_page_has_korean_axes_and_summary(personas) -> None:
    progress_story(personas)
    text = page(personas, "ko")
    assert "5개 부위 중 3개 부위가 측정 오차를 넘어 좋아짐" in text
    assert "통증 (NPRS, 0–10점)" in text and ">날짜 (" in text
    assert "원인" in text  # the note that the charts do not show a cause
    for english in ("Pain by region", "Distant regions", "better beyond measurement error"):
        assert english not in text


def test_unconfirmed_local_regions_are_said_and_all_shown_distant(personas) -> None:
    submitted_intake(
        personas.desk,
        personas.patient,
        {**pain_answers(INTAKE), "q_nprs_q1": "8"},
        instruments=("nprs",),
    )
    text = page(personas, "en")
    assert "No clinician has confirmed the chief-complaint regions yet" in text
    assert "No region has a baseline and a later rating yet." in text


def test_a_patient_with_nothing_recorded_gets_a_page(personas) -> None:
    text = page(personas, "en")
    assert "No questionnaire scored yet." in text


def test_front_desk_may_not_read_progress(personas) -> None:
    progress_story(personas)
    response = personas.login(personas.desk).get(
        reverse("progress:patient", args=[personas.patient.pk])
    )
    assert response.status_code == 403
    assert b"Neck" not in response.content


def test_another_clinic_gets_404_and_nothing_is_logged_for_it(personas) -> None:
    progress_story(personas)
    response = personas.login(personas.outsider).get(
        reverse("progress:patient", args=[personas.patient.pk])
    )
    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(user=personas.outsider, detail="progress").exists()


def test_the_page_logs_one_view_of_the_patient(personas) -> None:
    progress_story(personas)
    page(personas, "en")
    assert AccessLogEntry.objects.filter(user=personas.clinician, detail="progress").count() == 1


def test_query_count_does_not_grow_with_follow_ups(personas) -> None:
    progress_story(personas)
    client = personas.login(personas.clinician)
    url = reverse("progress:patient", args=[personas.patient.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    submitted_followup(personas.clinician, personas.patient, ["nprs"], {"pain_neck": "2"})
    # Today's visit of the story starts now; this one an hour away, the same day (a visit is
    # never opened before its day).
    later = timezone.now() + timedelta(hours=1)
    if timezone.localtime(later).date() != timezone.localdate():
        later -= timedelta(hours=2)
    visit(personas.clinician, personas.patient, later)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)


def test_the_chart_links_to_progress_for_clinicians_only(personas) -> None:
    chart = reverse("patients:chart", args=[personas.patient.pk])
    progress = reverse("progress:patient", args=[personas.patient.pk])
    assert progress in personas.login(personas.clinician).get(chart).content.decode()
    assert progress not in personas.login(personas.desk).get(chart).content.decode()


def test_leg_checks_and_balance_tests_are_shown_against_their_limits(personas) -> None:
    clinician, patient = personas.clinician, personas.patient
    # A pre/post pair: 6 mm -> 2 mm, 4 mm change >= the 3.74 mm MDC (Cooperstein 2003).
    today = visit(clinician, patient)
    exam(clinician, patient, "leg_check", leg("pre", "right", 6), timing="pre", visit=today)
    exam(clinician, patient, "leg_check", leg("post", "right", 2), timing="post", visit=today)
    fukuda = {"steps": 50, "rotation_deg": 60, "direction": "left", "displacement_cm": 40}
    exam(clinician, patient, "fukuda", fukuda)
    romberg = {"surface": "firm", "open_held_s": 30, "closed_held_s": 30}
    exam(clinician, patient, "romberg", romberg)
    text = page(personas, "en")
    assert "the MDC of 3.74 mm" in text and "beyond the MDC" in text and "4 mm" in text
    assert "turned 60° to the left in 50 steps: beyond the 45° limit" in text
    assert "Romberg test" in text and "negative" in text
    korean = page(personas, "ko")
    assert "50걸음에 왼쪽으로 60° 회전: 45° 기준 초과" in korean
    # Front desk never reaches these sections (the page is refused as a whole).
    assert (
        personas.login(personas.desk)
        .get(reverse("progress:patient", args=[personas.patient.pk]))
        .status_code
        == 403
    )
