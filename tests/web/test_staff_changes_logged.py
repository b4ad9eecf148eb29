"""Every grant, change and withdrawal of access to the clinic's records is in the access log:
a staff account made, its role or active state or password changed, its second factor reset
(accounts/services.py). Field names are logged, never values; the log page words them in the
reader's language."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from atlaschart.accounts.models import User
from atlaschart.audit.describe import describe
from atlaschart.audit.models import AccessLogEntry, Action

NEW_PASSWORD = "a-long-enough-password-42"


def _staff_rows(**filters: Any) -> list[AccessLogEntry]:
    return list(
        AccessLogEntry.objects.filter(object_type="accounts.user", **filters).order_by("id")
    )


def test_a_new_account_is_logged_with_its_fields_not_its_password(personas: Any) -> None:
    client = personas.login(personas.admin)
    response = client.post(
        reverse("accounts:staff_create"),
        {"username": "newdoc", "role": "clinician", "is_active": "on", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    created = User.objects.get(username="newdoc")
    assert created.clinic_id == personas.seoul.pk and created.check_password(NEW_PASSWORD)
    [row] = _staff_rows(action=Action.CREATE)
    assert row.object_id == str(created.pk) and row.user_id == personas.admin.pk
    assert row.clinic_id == personas.seoul.pk and row.patient_id is None
    assert row.detail.startswith("fields: username") and "role" in row.detail
    assert NEW_PASSWORD not in row.detail


def test_a_role_change_and_a_new_password_are_logged_by_name(personas: Any) -> None:
    client = personas.login(personas.admin)
    client.post(
        reverse("accounts:staff_edit", args=[personas.desk.pk]),
        {"username": "desk", "role": "clinician", "language": "ko", "password": NEW_PASSWORD},
    )
    personas.desk.refresh_from_db()
    assert personas.desk.role == "clinician" and not personas.desk.is_active
    [row] = _staff_rows(action=Action.UPDATE, object_id=str(personas.desk.pk))
    assert row.detail == "fields: role, language, is_active, password"
    assert NEW_PASSWORD not in row.detail


def test_saving_an_unchanged_account_logs_nothing(personas: Any) -> None:
    client = personas.login(personas.admin)
    client.post(
        reverse("accounts:staff_edit", args=[personas.desk.pk]),
        {"username": "desk", "role": "front_desk", "is_active": "on"},
    )
    assert _staff_rows() == []


def test_the_refused_self_demotion_changes_and_logs_nothing(personas: Any) -> None:
    client = personas.login(personas.admin, "ko")
    response = client.post(
        reverse("accounts:staff_edit", args=[personas.admin.pk]),
        {"username": "admin", "role": "clinician", "is_active": "on"},
    )
    assert response.status_code == 200
    # The refusal, in Korean, on the form.
    assert "본인의 관리자 역할을 해제하거나" in response.content.decode()
    personas.admin.refresh_from_db()
    assert personas.admin.role == "admin" and _staff_rows() == []


def test_a_second_factor_reset_is_logged_and_worded(personas: Any) -> None:
    client = personas.login(personas.admin)
    response = client.post(reverse("accounts:staff_two_factor_reset", args=[personas.desk.pk]))
    assert response.status_code == 302
    [row] = _staff_rows(action=Action.UPDATE, object_id=str(personas.desk.pk))
    assert row.detail == "second factor reset"
    from django.utils import translation

    with translation.override("ko"):
        words = describe(row)
    assert str(words.detail) == "관리자가 2단계 인증 초기화" and not words.detail.recorded


def test_the_access_log_page_shows_staff_changes_in_korean(personas: Any) -> None:
    client = personas.login(personas.admin, "ko")
    client.post(reverse("accounts:staff_two_factor_reset", args=[personas.desk.pk]))
    page = client.get(reverse("audit:access_log"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "관리자가 2단계 인증 초기화" in text and "second factor reset" not in text
