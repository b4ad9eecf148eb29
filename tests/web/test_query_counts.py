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
