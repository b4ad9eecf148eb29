"""Pages make a constant number of queries, however many patients a clinic has."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atlaschart.patients.models import Patient


def count_queries(client: Client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_patients(clinic, n: int, start: int) -> None:
    Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            chart_number=f"B{start + i:05d}",
            name=f"박환자{start + i}",
            date_of_birth=date(1980, 1, 1),
            search_text=f"박환자{start + i}",
        )
        for i in range(n)
    )


def test_search_and_chart_query_counts_do_not_grow_with_the_number_of_patients(personas) -> None:
    client = Client()
    client.force_login(personas.clinician)
    add_patients(personas.seoul, 3, 0)
    small_list = count_queries(client, reverse("patients:list"), {"q": "박환자"})
    small_chart = count_queries(client, reverse("patients:chart", args=[personas.patient.pk]))
    add_patients(personas.seoul, 60, 100)
    assert count_queries(client, reverse("patients:list"), {"q": "박환자"}) == small_list
    assert (
        count_queries(client, reverse("patients:chart", args=[personas.patient.pk])) == small_chart
    )
    # Loose ceilings: each chart section adds a fixed few queries; what matters is no growth.
    assert small_list <= 10
    assert small_chart <= 30


def test_calendar_day_and_week_query_counts_do_not_grow_with_the_appointments(personas) -> None:
    from datetime import datetime, timedelta

    from django.utils import timezone

    from atlaschart.visits.models import Appointment

    client = Client()
    client.force_login(personas.clinician)
    day = date(2026, 3, 4)  # a Wednesday: the week view runs Monday 2 to Sunday 8 March
    zone = timezone.get_current_timezone()

    def book(n: int, start: int) -> None:
        add_patients(personas.seoul, n, start)
        patients = Patient.objects.filter(chart_number__gte=f"B{start:05d}").order_by("pk")[:n]
        for i, patient in enumerate(patients):
            begins = datetime(2026, 3, 2 + i % 7, 9, 0, tzinfo=zone) + timedelta(minutes=15 * i)
            Appointment.objects.create(
                clinic=personas.seoul,
                patient=patient,
                clinician=personas.clinician,
                starts_at=begins,
                ends_at=begins + timedelta(minutes=15),
            )

    url = reverse("visits:calendar")
    book(7, 0)  # one a day, so the small day already has an appointment to list and log
    small_day = count_queries(client, url, {"date": day.isoformat()})
    small_week = count_queries(client, url, {"date": day.isoformat(), "view": "week"})
    book(30, 500)
    page = client.get(url, {"date": day.isoformat(), "view": "week"}).content.decode()
    assert page.count("박환자5") >= 30  # every new appointment is on the week page
    assert count_queries(client, url, {"date": day.isoformat()}) == small_day
    assert count_queries(client, url, {"date": day.isoformat(), "view": "week"}) == small_week
    assert small_day <= 12 and small_week <= 12
