"""Every read and write of patient data is in the access log, which the app can only append to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atlaschart.audit.models import AccessLogEntry, AppendOnlyError

# Where the test requests come from: the log records it.
ADDRESS = "192.0.2.10"


def test_opening_a_chart_records_who_what_when_where(personas) -> None:
    personas.login(personas.clinician, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    entry = AccessLogEntry.objects.get()
    assert entry.user == personas.clinician
    assert entry.username == "clinician"
    assert entry.clinic == personas.seoul
    assert entry.patient == personas.patient
    assert entry.action == "view"
    assert entry.client_ip == ADDRESS
    assert entry.object_type == "patients.patient"
    assert entry.object_id == str(personas.patient.pk)
    assert entry.at is not None


def test_a_refused_lookup_logs_the_attempt_but_nothing_about_the_other_clinic(personas) -> None:
    personas.login(personas.outsider, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.clinic, entry.patient) == ("denied", personas.busan, None)
    assert entry.object_type == entry.object_id == ""


def test_creating_a_patient_is_logged(personas) -> None:
    personas.login(personas.desk, REMOTE_ADDR=ADDRESS).post(
        reverse("patients:create"),
        {
            "name": "이서연",
            "date_of_birth": "1992-07-19",
            "sex": "female",
            "preferred_language": "ko",
        },
    )
    entry = AccessLogEntry.objects.get(action="create")
    assert entry.patient.name == "이서연"
    assert entry.user == personas.desk


def test_an_edit_logs_the_read_and_the_changed_field_names_not_values(personas) -> None:
    personas.login(personas.desk, REMOTE_ADDR=ADDRESS).post(
        reverse("patients:edit", args=[personas.patient.pk]),
        {
            "name": "김민준",
            "name_latin": "Minjun Kim",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "phone": "010-9999-0000",
            "preferred_language": "ko",
            "chart_number": "000001",
        },
    )
    actions = list(AccessLogEntry.objects.order_by("id").values_list("action", "detail"))
    assert actions == [("view", "edit form"), ("update", "fields: phone")]
    assert "9999" not in actions[1][1]


def test_archive_and_restore_are_logged(personas) -> None:
    client = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    client.post(reverse("patients:archive", args=[personas.patient.pk]))
    client.post(reverse("patients:archive", args=[personas.patient.pk]), {"restore": "1"})
    writes = list(
        AccessLogEntry.objects.exclude(action="view")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert writes == ["archive", "restore"]


def test_each_patient_shown_in_search_results_is_logged(personas) -> None:
    personas.login(personas.clinician, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:list"), {"q": "민준"}
    )
    entries = list(AccessLogEntry.objects.all())
    assert [(e.action, e.patient_id) for e in entries] == [("list", personas.patient.pk)]
    assert entries[0].detail == "search: 민준"


def test_entries_cannot_be_changed_or_deleted_through_the_app(personas) -> None:
    personas.login(personas.clinician, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    entry = AccessLogEntry.objects.get()
    entry.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AccessLogEntry.objects.get().detail == "chart"


def test_the_database_refuses_bulk_updates_of_the_log(personas) -> None:
    """On both engines (triggers; more in test_audit_tamper.py)."""
    from django.db import DatabaseError, transaction

    personas.login(personas.clinician, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.update(detail="tampered")


def test_admins_can_browse_and_filter_the_log(personas) -> None:
    personas.login(personas.clinician, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:chart", args=[personas.patient.pk])
    )
    personas.login(personas.desk, REMOTE_ADDR=ADDRESS).get(reverse("patients:list"), {"q": "민준"})
    admin = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    page = admin.get(reverse("audit:access_log"), {"user": personas.clinician.pk}).content.decode()
    rows = page.split("<tbody>")[1]
    assert ">clinician<" in rows and ">desk<" not in rows
    page = admin.get(reverse("audit:access_log"), {"action": "list"}).content.decode()
    assert "desk" in page


def test_the_log_page_shows_only_the_admins_clinic(personas) -> None:
    personas.login(personas.outsider, REMOTE_ADDR=ADDRESS).get(
        reverse("patients:chart", args=[personas.busan_patient.pk])
    )
    page = (
        personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
        .get(reverse("audit:access_log"))
        .content.decode()
    )
    assert "권나연" not in page


@pytest.mark.parametrize("persona", ["clinician", "desk"])
def test_only_admins_see_the_log(personas, persona) -> None:
    response = personas.login(getattr(personas, persona), REMOTE_ADDR=ADDRESS).get(
        reverse("audit:access_log")
    )
    assert response.status_code == 403


def test_a_bad_filter_date_is_a_message_not_an_error(personas) -> None:
    response = personas.login(personas.admin, REMOTE_ADDR=ADDRESS).get(
        reverse("audit:access_log"), {"date_from": "2026-13-45"}
    )
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "9999-12-31", "date_to": "0001-01-01"},
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
        {"user": "a\x00b"},
        {"user": "99999999999999999999"},
        {"ip": "10.0.%"},
        {"chart_number": "a\x00b"},
        {"older": "99999999999999999999"},
        {"newer": "-1"},
        {"page": "99999999999999999999"},
    ],
)
def test_filters_at_the_edges_are_messages_not_errors(personas, params) -> None:
    response = personas.login(personas.admin, REMOTE_ADDR=ADDRESS).get(
        reverse("audit:access_log"), params
    )
    assert response.status_code == 200


def test_an_out_of_range_date_says_so_in_korean(personas) -> None:
    client = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    client.cookies["atlaschart_language"] = "ko"
    page = client.get(reverse("audit:access_log"), {"date_to": "9999-12-31"}).content.decode()
    assert "사이의 날짜를 입력하세요" in page
