"""Clinic isolation: the one door to patient data scopes every lookup to the user's clinic."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from atlaschart.accounts.models import User
from atlaschart.patients.models import Patient


def without_csrf_token(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


@pytest.mark.parametrize("url_name", ["patients:chart", "patients:edit"])
def test_another_clinics_patient_is_not_found(personas, url_name) -> None:
    response = personas.login(personas.outsider).get(reverse(url_name, args=[personas.patient.pk]))
    assert response.status_code == 404


def test_a_patient_that_does_not_exist_looks_the_same_as_another_clinics(personas) -> None:
    client = personas.login(personas.outsider)
    foreign_url = reverse("patients:chart", args=[personas.patient.pk])
    missing_url = reverse("patients:chart", args=[999_999])
    foreign, missing = client.get(foreign_url), client.get(missing_url)
    assert foreign.status_code == missing.status_code == 404
    # Identical pages but for the address itself (the language switch returns to it).
    assert without_csrf_token(foreign.content).replace(foreign_url.encode(), b"URL") == (
        without_csrf_token(missing.content).replace(missing_url.encode(), b"URL")
    )


def test_archiving_another_clinics_patient_is_not_found_and_changes_nothing(personas) -> None:
    response = personas.login(personas.outsider).post(
        reverse("patients:archive", args=[personas.patient.pk])
    )
    assert response.status_code == 404
    personas.patient.refresh_from_db()
    assert personas.patient.archived_at is None


def test_editing_another_clinics_patient_changes_nothing(personas) -> None:
    response = personas.login(personas.outsider).post(
        reverse("patients:edit", args=[personas.patient.pk]),
        {
            "name": "Hacked",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "preferred_language": "ko",
        },
    )
    assert response.status_code == 404
    personas.patient.refresh_from_db()
    assert personas.patient.name == "김민준"


def test_search_lists_only_the_users_clinic(personas) -> None:
    response = personas.login(personas.outsider).get(reverse("patients:list"), {"q": ""})
    assert "권나연" in response.content.decode()
    assert "김민준" not in response.content.decode()


def test_own_clinics_patient_is_visible_to_every_role(personas) -> None:
    for user in (personas.admin, personas.clinician, personas.desk):
        response = personas.login(user).get(reverse("patients:chart", args=[personas.patient.pk]))
        assert response.status_code == 200
        assert "김민준" in response.content.decode()


def test_a_superuser_without_a_clinic_sees_no_patient(personas) -> None:
    root = User.objects.create_superuser("root", password="x-very-long-pass-1")
    client = personas.login(root)
    assert client.get(reverse("patients:chart", args=[personas.patient.pk])).status_code == 403
    assert client.get(reverse("patients:list")).status_code == 403


def test_pages_need_login(personas) -> None:
    response = Client().get(reverse("patients:chart", args=[personas.patient.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_new_patients_land_in_the_creators_clinic(personas) -> None:
    response = personas.login(personas.desk).post(
        reverse("patients:create"),
        {
            "name": "이서연",
            "date_of_birth": "1992-07-19",
            "sex": "female",
            "preferred_language": "ko",
        },
    )
    created = Patient.objects.get(name="이서연")
    assert response.status_code == 302
    assert created.clinic == personas.seoul
    # The counter starts at 0, and 000001 was typed in by hand for the persona patient.
    assert created.chart_number == "000002"


def test_chart_numbers_count_up_per_clinic(personas) -> None:
    client = personas.login(personas.desk)
    for name in ("가", "나"):
        client.post(
            reverse("patients:create"),
            {
                "name": name,
                "date_of_birth": "1990-01-01",
                "sex": "unknown",
                "preferred_language": "ko",
            },
        )
    numbers = list(
        Patient.objects.filter(name__in=["가", "나"])
        .order_by("id")
        .values_list("chart_number", flat=True)
    )
    assert numbers == ["000002", "000003"]
