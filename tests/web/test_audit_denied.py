"""Denied attempts are in the access log as ``denied``, with the path, and nothing else is
written: a 403 of the role policy, and the door's 404 for a record of another clinic."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from tests.factories import people

from atlaschart.accounts.models import Role
from atlaschart.audit.models import AccessLogEntry

# Where the test requests come from: the denied row records it.
ADDRESS = "192.0.2.44"


def test_another_clinics_patient_is_a_404_and_one_denied_row(personas) -> None:
    url = reverse("patients:chart", args=[personas.busan_patient.pk])
    response = personas.login(personas.clinician, REMOTE_ADDR=ADDRESS).get(url)
    assert response.status_code == 404
    entry = AccessLogEntry.objects.get()
    assert entry.action == "denied"
    assert entry.detail == f"GET {url}"
    assert (entry.user, entry.username, entry.client_ip) == (
        personas.clinician,
        "clinician",
        ADDRESS,
    )
    # The Seoul clinic's log; nothing names the Busan patient or clinic.
    assert entry.clinic == personas.seoul
    assert entry.patient is None and entry.object_id == ""
    assert not AccessLogEntry.objects.filter(clinic=personas.busan).exists()


def test_the_access_log_as_front_desk_is_a_403_and_one_denied_row(personas) -> None:
    response = personas.login(personas.desk, REMOTE_ADDR=ADDRESS).get(reverse("audit:access_log"))
    assert response.status_code == 403
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.user, entry.detail) == ("denied", personas.desk, "GET /access-log/")


def test_a_refused_post_is_logged_with_its_method(personas) -> None:
    url = reverse("patients:archive", args=[personas.busan_patient.pk])
    response = personas.login(personas.admin, REMOTE_ADDR=ADDRESS).post(url)
    assert response.status_code == 404
    assert list(AccessLogEntry.objects.values_list("action", "detail")) == [
        ("denied", f"POST {url}")
    ]
    personas.busan_patient.refresh_from_db()
    assert personas.busan_patient.archived_at is None


def test_a_user_without_a_clinic_is_logged_without_one(personas) -> None:
    drifter = people.staff(None, Role.CLINICIAN, "drifter")
    response = personas.login(drifter, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    assert response.status_code in (403, 404)
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.clinic, entry.user) == ("denied", None, drifter)


def test_anonymous_requests_are_not_logged(personas) -> None:
    response = Client().get(reverse("patients:chart", args=[personas.patient.pk]))
    assert response.status_code == 302
    assert not AccessLogEntry.objects.exists()


def test_a_page_that_does_not_exist_is_not_a_denied_attempt(personas) -> None:
    assert (
        personas.login(personas.clinician, REMOTE_ADDR=ADDRESS).get("/no-such-page/").status_code
        == 404
    )
    assert not AccessLogEntry.objects.exists()


def test_denied_rows_join_the_hash_chain(personas) -> None:
    personas.login(personas.desk, REMOTE_ADDR=ADDRESS).get(reverse("audit:access_log"))
    personas.login(personas.desk, REMOTE_ADDR=ADDRESS).get(reverse("audit:access_log"))
    first, second = AccessLogEntry.objects.order_by("id")
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.row_hash
