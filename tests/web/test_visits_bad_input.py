"""Visits under hostile input: dates at the edges of Python's datetime, huge numbers,
off-site ``next`` targets. Never a 500; a clear message in the user's language; nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from tests.factories import care
from tests.factories.care import at

from atlaschart.patients.models import Patient
from atlaschart.visits.models import (
    AdverseEvent,
    Appointment,
    CarePlan,
    ConsentRecord,
)

EDGE_DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"]
EDGE_TIMES = ["9999-12-31T23:59", "0001-01-01T00:00", "1899-12-31T23:59", "2101-01-01T00:00"]


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("value", [*EDGE_DATES, "not-a-date", "2026-02-30", "9" * 5000])
def test_the_calendar_shows_today_with_a_message_for_a_date_out_of_range(
    personas, view, value
) -> None:
    response = personas.login(personas.desk).get(
        reverse("visits:calendar"), {"date": value, "view": view}
    )
    assert response.status_code == 200
    assert "is not a date between 1900 and 2100; showing today" in response.content.decode()


@pytest.mark.django_db
def test_the_calendar_message_is_korean_for_a_korean_browser(personas) -> None:
    response = personas.login(personas.desk).get(
        reverse("visits:calendar"), {"date": "9999-12-31"}, headers={"accept-language": "ko"}
    )
    assert response.status_code == 200
    assert (
        "1900년부터 2100년 사이의 날짜가 아니어서 오늘 일정을 보여 드립니다"
        in response.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1900-01-01", "2100-12-31"])
def test_the_first_and_last_days_in_range_still_show(personas, value) -> None:
    response = personas.login(personas.desk).get(
        reverse("visits:calendar"), {"date": value, "view": "week"}
    )
    assert response.status_code == 200
    assert "showing today" not in response.content.decode()


@pytest.mark.django_db
def test_a_clinician_parameter_of_thousands_of_digits_is_ignored(personas) -> None:
    response = personas.login(personas.desk).get(
        reverse("visits:calendar"), {"clinician": "9" * 5000}
    )
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("starts_at", EDGE_TIMES)
def test_booking_at_the_edges_of_time_is_refused_with_a_message(personas, starts_at) -> None:
    response = personas.login(personas.desk).post(
        reverse("visits:book", args=[personas.patient.pk]),
        {"clinician": personas.clinician.pk, "starts_at": starts_at, "minutes": 30},
    )
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_slot_running_past_the_last_year_is_refused_by_the_service(personas) -> None:
    response = personas.login(personas.desk).post(
        reverse("visits:book", args=[personas.patient.pk]),
        {"clinician": personas.clinician.pk, "starts_at": "2100-12-31T23:59", "minutes": 30},
    )
    assert response.status_code == 200
    assert "Choose a time between 1900 and 2100." in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.fixture
def long_plan(personas) -> CarePlan:
    return care.care_plan(
        personas.clinician,
        personas.patient,
        start_date=date(2026, 1, 5),
        interval_days=90,
        planned_visits=60,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("first_start", EDGE_TIMES)
def test_care_plan_booking_at_the_edges_is_refused(personas, long_plan, first_start) -> None:
    response = personas.login(personas.clinician).post(
        reverse("visits:care_plan_book", args=[long_plan.pk]),
        {"clinician": personas.clinician.pk, "first_start": first_start, "minutes": 30},
    )
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_care_plan_whose_last_visit_falls_after_2100_books_nothing(personas, long_plan) -> None:
    # 60 visits every 90 days from 2099: the last is in 2113.
    response = personas.login(personas.clinician).post(
        reverse("visits:care_plan_book", args=[long_plan.pk]),
        {"clinician": personas.clinician.pk, "first_start": "2099-01-04T10:00", "minutes": 30},
    )
    assert response.status_code == 200
    assert "The last visit of the plan falls too far in the future." in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"start_date": "9999-12-31"},
        {"start_date": "0001-01-01"},
        {"start_date": "2026-01-05", "reexam_dates": "2026-02-01, 9999-12-31"},
        {"start_date": "2026-01-05", "reexam_dates": "0001-01-01"},
    ],
)
def test_a_care_plan_with_dates_out_of_range_is_refused(personas, data) -> None:
    response = personas.login(personas.clinician).post(
        reverse("visits:care_plan", args=[personas.patient.pk]),
        {"interval_days": 7, "planned_visits": 6, **data},
    )
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()
    assert not CarePlan.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("given_on", EDGE_DATES)
def test_a_consent_dated_out_of_range_is_refused(personas, given_on) -> None:
    response = personas.login(personas.clinician).post(
        reverse("visits:consent", args=[personas.patient.pk]),
        {"kind": "manual_therapy", "given_on": given_on},
    )
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date_of_birth", "starts_at"),
    [("0001-01-01", "2026-03-04T10:00"), ("1990-01-02", "9999-12-31T23:59")],
)
def test_converting_a_request_with_dates_out_of_range_creates_no_patient(
    personas, date_of_birth, starts_at
) -> None:
    req = care.consultation_request(
        personas.seoul, name="이지은", contact="010-5555-1234", complaint="neck pain"
    )
    patients = Patient.objects.count()
    response = personas.login(personas.desk).post(
        reverse("visits:convert", args=[req.pk]),
        {
            "name": "이지은",
            "date_of_birth": date_of_birth,
            "clinician": personas.clinician.pk,
            "starts_at": starts_at,
            "minutes": 30,
        },
    )
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()
    assert Patient.objects.count() == patients
    req.refresh_from_db()
    assert req.status == "new"


@pytest.mark.django_db
@pytest.mark.parametrize("onset_h", ["1e308", "inf", "nan", "-1"])
def test_a_follow_up_complaint_with_an_absurd_onset_is_refused(personas, onset_h) -> None:
    visit = care.visit(personas.clinician, personas.patient)
    response = personas.login(personas.clinician).post(
        reverse("visits:followup", args=[visit.pk]),
        {"description": "dizzy", "is_new": "new", "severity_0_10": 5, "onset_h": onset_h},
    )
    assert response.status_code == 400
    assert not AdverseEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["9" * 5000, "-1", "1e308"])
def test_a_note_version_that_is_not_a_small_number_is_refused(personas, version) -> None:
    visit = care.visit(personas.clinician, personas.patient)
    response = personas.login(personas.clinician).post(
        reverse("visits:save", args=[visit.pk]),
        {"version": version, "subjective": "x", "objective": "", "assessment": "", "plan": ""},
    )
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.subjective == ""


# --------------------------------------------------------------------------------- next=


@pytest.fixture
def booked(personas) -> Appointment:
    return care.booked_appointment(
        personas.desk, personas.patient, at(9), clinician=personas.clinician
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "inf",  # a bare word: redirect() would take it for a view name
        "x" * 100_000,
    ],
)
def test_the_status_form_never_redirects_off_site(personas, booked, target) -> None:
    response = personas.login(personas.desk).post(
        reverse("visits:status", args=[booked.pk]), {"status": "arrived", "next": target}
    )
    assert response.status_code == 302
    assert response.url == reverse("visits:today")


@pytest.mark.django_db
def test_the_status_form_returns_to_a_page_of_this_site(personas, booked) -> None:
    target = reverse("visits:calendar") + "?view=week"
    response = personas.login(personas.desk).post(
        reverse("visits:status", args=[booked.pk]), {"status": "arrived", "next": target}
    )
    assert response.url == target
