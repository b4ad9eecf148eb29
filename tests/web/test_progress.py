"""The progress page: per-region pain (local and distant apart) with the NPRS threshold band,
questionnaires with their MCID/MDC band, the plain-words summary, in Korean and English; who may
see it; what it logs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.web.test_followup import create_followup, link_of, login, submit_intake

from atlaschart.audit.models import AccessLogEntry
from atlaschart.intake.models import IntakeLink

pytestmark = pytest.mark.django_db

# The demo's "followups" story (clinics.demo_stories): intake, then two follow-ups.
INTAKE = {
    "neck": 8,
    "upper_back_left": 6,
    "between_shoulder_blades_left": 5,
    "low_back_right": 4,
    "head_face": 6,
}
FOLLOWUPS = [
    {
        "neck": 6,
        "upper_back_left": 6,
        "between_shoulder_blades_left": 5,
        "low_back_right": 4,
        "head_face": 4,
    },
    {
        "neck": 3,
        "upper_back_left": 5,
        "between_shoulder_blades_left": 2,
        "low_back_right": 6,
        "head_face": 2,
    },
]
NPRS = ["8", "6", "3"]


def _pain(regions: dict[str, int]) -> dict[str, str]:
    return {f"pain_{key}": str(value) for key, value in regions.items()}


WEEKS_AGO = (6, 3, 0)


def spread_over_weeks(personas) -> None:
    """Intake six weeks ago, follow-ups three weeks ago and today, a visit at each (the records
    refuse edits through save(); the test moves them in time with update())."""
    from datetime import timedelta

    from django.utils import timezone

    from atlaschart.intake.models import FollowUp, Intake, QuestionnaireResponse
    from atlaschart.visits.models import Visit

    now = timezone.now()
    forms = [*Intake.objects.filter(patient=personas.patient)]
    forms += list(FollowUp.objects.filter(patient=personas.patient).order_by("submitted_at", "id"))
    for form, weeks in zip(forms, WEEKS_AGO, strict=True):
        when = now - timedelta(weeks=weeks)
        type(form).objects.filter(pk=form.pk).update(submitted_at=when)
        responses = QuestionnaireResponse.objects.filter(patient=personas.patient)
        key = "intake" if isinstance(form, Intake) else "followup"
        responses.filter(**{key: form}).update(recorded_at=when)
        Visit.objects.create(
            patient=personas.patient, clinician=personas.clinician, visit_date=when.date()
        )


def make_story(personas) -> int:
    intake = submit_intake(
        personas, {**_pain(INTAKE), "q_nprs_q1": NPRS[0]}, instruments=("nprs",), language="en"
    )
    for regions, nprs in zip(FOLLOWUPS, NPRS[1:], strict=True):
        _response, token = create_followup(personas, ["nprs"])
        IntakeLink.objects.filter(pk=link_of(token).pk).update(
            draft={**_pain(regions), "q_nprs_q1": nprs}
        )
        assert Client().post(reverse("intake:submit", args=[token])).status_code == 302
    spread_over_weeks(personas)
    # The clinician confirms the neck and the head as the chief complaint.
    login(personas.clinician).post(
        reverse("intake:local_regions", args=[intake.pk]), {"local": ["neck", "head_face"]}
    )
    return personas.patient.pk


def page(personas, language: str, user=None) -> str:
    who = user or personas.clinician
    who.language = language
    who.save(update_fields=["language"])
    response = login(who).get(reverse("progress:patient", args=[personas.patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_english_summary_counts_regions_beyond_measurement_error(personas) -> None:
    make_story(personas)
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
    make_story(personas)
    text = page(personas, "ko")
    assert "5개 부위 중 3개 부위가 측정 오차를 넘어 좋아짐" in text
    assert "통증 (NPRS, 0–10점)" in text and ">날짜 (" in text
    assert "원인" in text  # the note that the charts do not show a cause
    for english in ("Pain by region", "Distant regions", "better beyond measurement error"):
        assert english not in text


def test_unconfirmed_local_regions_are_said_and_all_shown_distant(personas) -> None:
    submit_intake(personas, {**_pain(INTAKE), "q_nprs_q1": "8"}, instruments=("nprs",))
    text = page(personas, "en")
    assert "No clinician has confirmed the chief-complaint regions yet" in text
    assert "No region has a baseline and a later rating yet." in text


def test_a_patient_with_nothing_recorded_gets_a_page(personas) -> None:
    text = page(personas, "en")
    assert "No questionnaire scored yet." in text


def test_front_desk_may_not_read_progress(personas) -> None:
    make_story(personas)
    response = login(personas.desk).get(reverse("progress:patient", args=[personas.patient.pk]))
    assert response.status_code == 403
    assert b"Neck" not in response.content


def test_another_clinic_gets_404_and_nothing_is_logged_for_it(personas) -> None:
    make_story(personas)
    response = login(personas.outsider).get(reverse("progress:patient", args=[personas.patient.pk]))
    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(user=personas.outsider, detail="progress").exists()


def test_the_page_logs_one_view_of_the_patient(personas) -> None:
    make_story(personas)
    page(personas, "en")
    assert AccessLogEntry.objects.filter(user=personas.clinician, detail="progress").count() == 1


def test_query_count_does_not_grow_with_follow_ups(personas) -> None:
    make_story(personas)
    client = login(personas.clinician)
    url = reverse("progress:patient", args=[personas.patient.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    _response, token = create_followup(personas, ["nprs"])
    IntakeLink.objects.filter(pk=link_of(token).pk).update(draft={"pain_neck": "2"})
    Client().post(reverse("intake:submit", args=[token]))
    from atlaschart.visits.models import Visit

    Visit.objects.create(
        patient=personas.patient, clinician=personas.clinician, visit_date=timezone.localdate()
    )
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)


def test_the_chart_links_to_progress_for_clinicians_only(personas) -> None:
    chart = reverse("patients:chart", args=[personas.patient.pk])
    progress = reverse("progress:patient", args=[personas.patient.pk])
    assert progress in login(personas.clinician).get(chart).content.decode()
    assert progress not in login(personas.desk).get(chart).content.decode()


def test_leg_checks_and_balance_tests_are_shown_against_their_limits(personas) -> None:
    from atlaschart.exams.models import ExamRecord

    def exam(kind: str, timing: str, raw: dict, derived: dict) -> None:
        ExamRecord.objects.create(
            patient=personas.patient,
            kind=kind,
            timing=timing,
            raw=raw,
            derived=derived,
            examiner=personas.clinician,
        )

    # A pre/post pair: 6 mm -> 2 mm, 4 mm change >= the 3.74 mm MDC (Cooperstein 2003).
    exam("leg_check", "pre", {}, {"magnitude_mm": 6.0, "signed_mm": 6.0})
    exam(
        "leg_check",
        "post",
        {},
        {"magnitude_mm": 2.0, "magnitude_change_mm": 4.0, "exceeds_mdc": True, "mdc_mm": 3.74},
    )
    exam("fukuda", "", {"steps": 50, "rotation_deg": 60, "direction": "left"}, {"abnormal": True})
    exam("romberg", "", {}, {"romberg_positive": False})
    text = page(personas, "en")
    assert "the MDC of 3.74 mm" in text and "beyond the MDC" in text and "4 mm" in text
    assert "turned 60° to the left in 50 steps: beyond the 45° limit" in text
    assert "Romberg test" in text and "negative" in text
    korean = page(personas, "ko")
    assert "50걸음에 왼쪽으로 60° 회전: 45° 기준 초과" in korean
    # Front desk never reaches these sections (the page is refused as a whole).
    assert (
        login(personas.desk)
        .get(reverse("progress:patient", args=[personas.patient.pk]))
        .status_code
        == 403
    )
