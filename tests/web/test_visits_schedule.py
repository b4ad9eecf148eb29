"""Scheduling basics: appointment types with their usual lengths, the holiday and opening-hours
warning (Korean public holidays from the ``holidays`` library), check-in at the front desk,
front desk's today page and the calendar's default clinicians."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from tests.factories import care

from atlaschart.accounts.models import Role, User
from atlaschart.visits.calendar_rules import holiday_name
from atlaschart.visits.models import Appointment, ClinicProfile

pytestmark = pytest.mark.django_db


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def next_weekday(weekday: int) -> date:
    """The next date (after today) on this weekday, 0 = Monday, that is not a public holiday."""
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday or holiday_name(day):
        day += timedelta(days=1)
    return day


def book(client: Client, personas, starts: datetime, **extra):
    return client.post(
        reverse("visits:book", args=[personas.patient.pk]),
        {
            "clinician": personas.clinician.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            **extra,
        },
    )


def appointment(personas, starts: datetime, clinician=None, **extra) -> Appointment:
    """Twenty minutes booked by the front desk (``extra``: the booking's ``kind``, ...)."""
    return care.booked_appointment(
        personas.desk,
        extra.pop("patient", personas.patient),
        starts,
        clinician=clinician or personas.clinician,
        minutes=20,
        **extra,
    )


@pytest.fixture
def second_clinician(personas) -> User:
    return User.objects.create(
        username="park", first_name="Park", clinic=personas.seoul, role=Role.CLINICIAN
    )


# ------------------------------------------------------------------------ types and lengths


@pytest.mark.parametrize(
    ("kind", "minutes"),
    [("consultation", 60), ("adjustment", 20), ("reexamination", 40), ("injection", 30)],
)
def test_each_type_books_its_usual_length(personas, kind, minutes) -> None:
    starts = local(next_weekday(2), 10)
    assert book(personas.login(personas.desk), personas, starts, kind=kind).status_code == 302
    booked = Appointment.objects.get()
    assert booked.kind == kind
    assert booked.ends_at - booked.starts_at == timedelta(minutes=minutes)


def test_a_given_length_wins_over_the_usual_one(personas) -> None:
    starts = local(next_weekday(2), 10)
    book(personas.login(personas.desk), personas, starts, kind="consultation", minutes=45)
    booked = Appointment.objects.get()
    assert booked.ends_at - booked.starts_at == timedelta(minutes=45)


def test_the_type_shows_in_korean_on_the_calendar(personas) -> None:
    appointment(personas, local(timezone.localdate(), 10), kind="reexamination")
    page = (
        personas.login(personas.desk, browser_language="ko")
        .get(reverse("visits:calendar"))
        .content.decode()
    )
    assert "재검사" in page


# ---------------------------------------------------------------------- holidays and hours


def test_the_library_knows_the_korean_holidays_of_2026_and_2027() -> None:
    # Chuseok 2026 is 25 September; Hangul Day 2027 falls on a Saturday, so Monday 11 October
    # 2027 is its substitute holiday (Regulations on Holidays of Government Offices, art. 3).
    with translation.override("ko"):
        assert holiday_name(date(2026, 9, 25)) == "추석"
        assert holiday_name(date(2027, 10, 11)) == "한글날 대체 휴일"
        assert holiday_name(date(2026, 9, 23)) is None
    with translation.override("en"):
        assert holiday_name(date(2026, 9, 25)) == "Chuseok"


@pytest.mark.parametrize(
    ("day", "korean", "english"),
    [
        (
            date(2026, 9, 25),
            "2026-09-25은 공휴일(추석)입니다.",
            "2026-09-25 is a public holiday (Chuseok).",
        ),
        (
            date(2027, 10, 11),
            "2027-10-11은 공휴일(한글날 대체 휴일)입니다.",
            "2027-10-11 is a public holiday (Alternative holiday for Hangul Day).",
        ),
    ],
)
def test_booking_on_a_public_holiday_warns_and_books_only_when_confirmed(
    personas, day, korean, english
) -> None:
    starts = local(day, 10)
    warned = book(
        personas.login(personas.desk, browser_language="ko"), personas, starts, kind="adjustment"
    )
    assert warned.status_code == 200
    assert korean in warned.content.decode()
    assert "그래도 예약" in warned.content.decode()
    assert english in book(personas.login(personas.desk), personas, starts).content.decode()
    assert not Appointment.objects.exists()
    confirmed = book(personas.login(personas.desk), personas, starts, confirm="on")
    assert confirmed.status_code == 302
    assert Appointment.objects.count() == 1


def test_outside_the_hours_and_closed_days_warn(personas) -> None:
    # No service writes the clinic profile (the admin's profile page saves its form), so the row.
    ClinicProfile.objects.create(clinic=personas.seoul, opens_at=time(9), closes_at=time(18))
    late = book(personas.login(personas.desk), personas, local(next_weekday(1), 17, 50))
    assert "This is outside the opening hours (09:00–18:00)." in late.content.decode()
    sunday = book(
        personas.login(personas.desk, browser_language="ko"), personas, local(next_weekday(6), 10)
    )
    assert "일요일은 휴진일입니다." in sunday.content.decode()
    assert not Appointment.objects.exists()
    ordinary = book(personas.login(personas.desk), personas, local(next_weekday(1), 10))
    assert ordinary.status_code == 302


def test_a_clash_is_reported_before_any_holiday_warning(personas) -> None:
    starts = local(date(2026, 9, 25), 10)
    appointment(personas, starts)
    response = book(personas.login(personas.desk), personas, starts)
    assert "is already booked at" in response.content.decode()


def test_the_admin_sets_the_hours_and_open_days(personas) -> None:
    response = personas.login(personas.admin).post(
        reverse("visits:profile"),
        {
            "public_page_enabled": "on",
            "opens_at": "08:30",
            "closes_at": "20:00",
            "open_weekdays": ["0", "1", "2", "3", "4"],
        },
    )
    assert response.status_code == 302
    profile = ClinicProfile.objects.get(clinic=personas.seoul)
    assert (profile.opens_at, profile.closes_at, profile.open_weekdays) == (
        time(8, 30),
        time(20, 0),
        [0, 1, 2, 3, 4],
    )


# ------------------------------------------------------------------------- check-in, today


def test_the_front_desk_checks_a_patient_in(personas) -> None:
    booked = appointment(personas, local(timezone.localdate(), 9))
    desk = personas.login(personas.desk, browser_language="ko")
    page = desk.get(reverse("visits:today")).content.decode()
    assert "도착 확인" in page
    desk.post(
        reverse("visits:status", args=[booked.pk]),
        {"status": "arrived", "next": reverse("visits:today")},
    )
    booked.refresh_from_db()
    assert booked.status == "arrived" and booked.arrived_at is not None
    page = desk.get(reverse("visits:today")).content.decode()
    waiting = page[page.index('id="arrivals"') :]
    assert personas.patient.name in waiting[: waiting.index("</section>")]


def test_another_clinics_user_cannot_check_in(personas) -> None:
    booked = appointment(personas, local(timezone.localdate(), 9))
    response = personas.login(personas.outsider).post(
        reverse("visits:status", args=[booked.pk]), {"status": "arrived"}
    )
    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.status == "booked" and booked.arrived_at is None


def test_front_desk_today_shows_every_clinicians_appointments(personas, second_clinician) -> None:
    today = timezone.localdate()
    appointment(personas, local(today, 9))
    appointment(personas, local(today, 11), clinician=second_clinician)
    desk_page = personas.login(personas.desk).get(reverse("visits:today")).content.decode()
    assert desk_page.count(f"/patients/{personas.patient.pk}/") >= 2
    assert "Park" in desk_page
    # Front desk records arrivals but does not open clinical notes.
    assert reverse("visits:open", args=[Appointment.objects.first().pk]) not in desk_page
    own = personas.login(personas.clinician).get(reverse("visits:today")).content.decode()
    assert "My appointments today" in own and "11:00" not in own
    everyone = personas.login(personas.clinician).get(reverse("visits:today") + "?all=1")
    assert "11:00" in everyone.content.decode()


def test_due_follow_ups_list_patients_with_nothing_booked(personas) -> None:
    today = timezone.localdate()
    care.care_plan(
        personas.clinician,
        personas.patient,
        goals=["SECRET-GOAL sleep through"],
        start_date=today - timedelta(days=14),
        interval_days=7,
        planned_visits=6,
    )
    care.visit(personas.clinician, personas.patient, local(today - timedelta(days=8), 10))
    page = (
        personas.login(personas.desk, browser_language="ko")
        .get(reverse("visits:today"))
        .content.decode()
    )
    due = page[page.index('id="due"') :]
    due = due[: due.index("</section>")]
    # Last visit 8 days ago + every 7 days = due yesterday; 1 of 6 visits done.
    assert personas.patient.name in due
    assert (today - timedelta(days=1)).isoformat() in due
    assert "6회 중 1회" in due
    assert "SECRET-GOAL" not in page
    # Once the next visit is booked the patient leaves the list.
    appointment(personas, local(today + timedelta(days=1), 10))
    page = personas.login(personas.desk).get(reverse("visits:today")).content.decode()
    assert "No follow-up visits are due." in page


# ---------------------------------------------------------------------------------- calendar


def test_the_calendar_opens_on_the_clinicians_with_bookings_that_day(
    personas, second_clinician
) -> None:
    today = timezone.localdate()
    appointment(personas, local(today, 11), clinician=second_clinician)
    page = personas.login(personas.clinician).get(reverse("visits:calendar")).content.decode()
    showing = page[page.index("Showing") :]
    showing = showing[: showing.index("</p>")]
    assert "Park" in showing and "clinician" not in showing
    assert "11:00" in page
    appointment(personas, local(today, 9))
    page = personas.login(personas.desk).get(reverse("visits:calendar")).content.decode()
    showing = page[page.index("Showing") :]
    assert "Park" in showing[: showing.index("</p>")]
    assert "clinician" in showing[: showing.index("</p>")]


def test_an_empty_day_falls_back_to_the_user_and_all_shows_everyone(
    personas, second_clinician
) -> None:
    page = personas.login(personas.clinician).get(reverse("visits:calendar")).content.decode()
    showing = page[page.index("Showing") :]
    assert "clinician" in showing[: showing.index("</p>")]
    assert "Park" not in showing[: showing.index("</p>")]
    everyone = personas.login(personas.clinician).get(reverse("visits:calendar") + "?clinician=all")
    text = everyone.content.decode()
    showing = text[text.index("Showing") :]
    assert "Park" in showing[: showing.index("</p>")]


def test_the_calendar_names_a_holiday(personas) -> None:
    page = personas.login(personas.desk, browser_language="ko").get(
        reverse("visits:calendar") + "?date=2026-09-25"
    )
    assert "추석" in page.content.decode()
