"""The clinician's calendar feed: their own appointments as iCalendar behind a secret address,
times, chart numbers and visit types only, revocable, every read in the access log."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.factories.care import appointment_status, booked_appointment

from atlaschart.audit.models import AccessLogEntry
from atlaschart.calendarfeed.models import CalendarFeed
from atlaschart.calendarfeed.services import secret_digest
from atlaschart.visits.models import Appointment, AppointmentKind, AppointmentStatus

pytestmark = pytest.mark.django_db


def _start(days: int) -> datetime:
    return timezone.now().replace(microsecond=0) + timedelta(days=days)


def _book(personas, clinician, days: int = 1, status: str = "", **options) -> Appointment:
    """A 20-minute appointment of the patient with ``clinician``, booked at the desk (and moved
    to ``status`` if told); ``options`` are the booking's (``kind``, ``note``)."""
    booked = booked_appointment(
        personas.desk, personas.patient, _start(days), clinician=clinician, minutes=20, **options
    )
    return appointment_status(personas.desk, booked, status) if status else booked


def _make_feed(client: Client) -> str:
    page = client.post(reverse("calendarfeed:create"))
    assert page.status_code == 200
    match = re.search(r'value="(http[^"]+\.ics)"', page.content.decode())
    assert match, "the new address is shown on the page"
    return match.group(1).removeprefix("http://testserver")


def test_the_feed_holds_own_appointments_with_chart_numbers_and_never_names(personas) -> None:
    mine = _book(
        personas, personas.clinician, kind=AppointmentKind.CONSULTATION, note="김민준 전화"
    )
    _book(personas, personas.admin, days=2)  # another clinician's
    _book(personas, personas.clinician, days=3, status=AppointmentStatus.CANCELLED)
    _book(personas, personas.clinician, days=90)  # beyond the eight weeks ahead
    url = _make_feed(personas.login(personas.clinician))

    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["000001 · Consultation"]
    event = events[0]
    assert event.decoded("dtstart") == mine.starts_at
    assert event.decoded("dtend") == mine.ends_at
    for private in (
        personas.patient.name,
        personas.patient.name_latin,
        "Minjun",
        "전화",
        personas.patient.phone,
    ):
        assert private not in body


def test_the_feed_is_in_the_clinicians_language(personas) -> None:
    personas.clinician.language = "ko"
    personas.clinician.save()
    _book(personas, personas.clinician, kind=AppointmentKind.ADJUSTMENT)
    url = _make_feed(personas.login(personas.clinician, HTTP_ACCEPT_LANGUAGE="ko"))
    calendar = icalendar.Calendar.from_ical(Client().get(url).content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["000001 · 교정"]


def test_every_read_is_logged_under_the_clinician(personas) -> None:
    _book(personas, personas.clinician)
    url = _make_feed(personas.login(personas.clinician))
    before = AccessLogEntry.objects.count()
    Client(REMOTE_ADDR="198.51.100.7").get(url)
    rows = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert {(r.user_id, r.client_ip, r.detail, r.patient_id) for r in rows} == {
        (personas.clinician.pk, "198.51.100.7", "calendar feed read", None),
        (personas.clinician.pk, "198.51.100.7", "calendar feed", personas.patient.pk),
    }
    assert CalendarFeed.objects.get(user=personas.clinician).last_read_at is not None


def test_only_the_digest_is_stored_and_the_address_is_shown_once(personas) -> None:
    client = personas.login(personas.clinician)
    url = _make_feed(client)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=personas.clinician)
    assert feed.secret_sha256 == secret_digest(secret) and secret not in feed.secret_sha256
    assert secret not in client.get(reverse("calendarfeed:settings")).content.decode()


def test_a_revoked_or_replaced_address_is_a_404(personas) -> None:
    client = personas.login(personas.clinician)
    first = _make_feed(client)
    second = _make_feed(client)  # a new address: the first stops working
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    client.post(reverse("calendarfeed:revoke"))
    gone = Client().get(second)
    assert gone.status_code == 404
    assert gone["Content-Type"].startswith("text/plain")
    assert Client().get("/calendar-feed/not-a-secret.ics").status_code == 404


def test_a_switched_off_clinician_or_one_made_front_desk_has_no_feed(personas) -> None:
    url = _make_feed(personas.login(personas.clinician))
    personas.clinician.role = "front_desk"
    personas.clinician.save()
    assert Client().get(url).status_code == 404
    personas.clinician.role = "clinician"
    personas.clinician.is_active = False
    personas.clinician.save()
    assert Client().get(url).status_code == 404


def test_front_desk_may_not_make_one(personas) -> None:
    client = personas.login(personas.desk)
    assert client.get(reverse("calendarfeed:settings")).status_code == 403
    assert client.post(reverse("calendarfeed:create")).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_feed_shows_no_other_clinics_appointments(personas) -> None:
    """The feed reads through the appointments door: an appointment of another clinic that names
    our clinician (a corrupt row) is not in it."""
    start = _start(1)
    # Raw: a corrupt row, a Busan patient booked with our clinician, which the booking refuses.
    Appointment.objects.create(
        clinic=personas.busan_patient.clinic,
        patient=personas.busan_patient,
        clinician=personas.clinician,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
    )
    url = _make_feed(personas.login(personas.clinician))
    calendar = icalendar.Calendar.from_ical(Client().get(url).content)
    assert list(calendar.walk("VEVENT")) == []
