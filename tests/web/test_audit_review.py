"""The clinic admin's monthly review of the access log, its sign-off, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from tests.factories import people

from atlaschart.audit.models import (
    AccessLogAnchor,
    AccessLogEntry,
    AccessLogReview,
    AppendOnlyError,
)
from atlaschart.audit.review import unusual_threshold
from atlaschart.patients.models import Patient

SEOUL_TZ = "Asia/Seoul"
# Where the test requests come from (the export lists it).
ADDRESS = "192.0.2.10"


def at(day: int, hour: int = 10) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(2026, 10, day, hour, tzinfo=ZoneInfo(SEOUL_TZ))


def entry(user, action: str, *, when: datetime, patient=None, detail: str = "") -> None:
    # A row at a time in the past: the log's service stamps each row with the present moment,
    # and the review reads a month already over.
    AccessLogEntry(
        at=when,
        clinic_id=user.clinic_id,
        user=user,
        username=user.username,
        patient=patient,
        action=action,
        detail=detail,
    ).save()


@pytest.fixture
def october(personas) -> list[Patient]:
    """October 2026: the clinician opened 12 patients' records, the desk and admin one each."""
    patients = [personas.patient] + [
        people.patient(
            personas.desk,
            chart_number=f"{n:06d}",
            name=f"환자{n}",
            date_of_birth=date(1980, 1, n),
            sex="female",
        )
        for n in range(2, 13)
    ]
    for p in patients:
        entry(personas.clinician, "view", when=at(3), patient=p)
    entry(personas.clinician, "view", when=at(4), patient=personas.patient)
    entry(personas.desk, "view", when=at(5), patient=personas.patient)
    entry(personas.desk, "list", when=at(5), patient=patients[3])
    entry(personas.admin, "update", when=at(6), patient=personas.patient)
    entry(personas.desk, "denied", when=at(7), detail="GET /exams/4/")
    entry(
        personas.clinician,
        "export",
        when=at(8),
        patient=personas.patient,
        detail="PDF for the patient; reason: insurance claim",
    )
    # Outside the month (Seoul time) and another clinic: not in October's review.
    entry(personas.clinician, "view", when=at(1, 0).replace(day=1, hour=0), patient=patients[1])
    entry(personas.outsider, "view", when=at(9), patient=personas.busan_patient)
    entry(personas.clinician, "view", when=datetime.fromisoformat("2026-09-30T23:59:00+09:00"))
    return patients


def review_page(client, month: str = "2026-10") -> str:
    response = client.get(reverse("audit:review"), {"month": month})
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_counts_patients_per_user_and_marks_unusual_volume(personas, october) -> None:
    response = personas.login(personas.admin, REMOTE_ADDR=ADDRESS).get(
        reverse("audit:review"), {"month": "2026-10"}
    )
    review = response.context["review"]
    users = {u.username: u for u in review.users}
    assert users["clinician"].patients_opened == 12
    assert users["clinician"].accesses == 15  # 13 views, one on 1 Oct, one export
    assert users["desk"].patients_opened == 1
    assert users["desk"].patients_listed == 1
    assert users["desk"].denied == 1
    assert users["admin"].patients_opened == 1
    assert "outsider" not in users
    assert review.median_opened == 1
    assert [u.username for u in review.unusual] == ["clinician"]
    clinician_patients = {p["patient__name"]: p["times"] for p in users["clinician"].patients}
    assert clinician_patients["김민준"] == 3  # two views and the export
    page = response.content.decode()
    assert "unusual volume" in page
    assert "GET /exams/4/" in page
    assert "insurance claim" in page
    assert "권나연" not in page


def test_a_quiet_month_flags_no_one() -> None:
    assert unusual_threshold([4, 1, 1]) == (1.0, 10.0)
    assert unusual_threshold([40, 10, 12]) == (12.0, 36.0)
    assert unusual_threshold([]) == (0.0, 10.0)


def test_sign_off_records_who_when_and_the_chain_head(personas, october) -> None:
    client = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    response = client.post(reverse("audit:review"), {"month": "2026-10", "note": "checked"})
    assert response.status_code == 302
    review = AccessLogReview.objects.get()
    head = AccessLogEntry.objects.order_by("-seq").first()
    assert (review.month, review.signed_by, review.note) == (
        date(2026, 10, 1),
        personas.admin,
        "checked",
    )
    assert (review.anchor.seq, review.anchor.row_hash) == (head.seq, head.row_hash)
    page = review_page(client)
    assert "Signed off by admin" in page and head.row_hash in page
    with pytest.raises(AppendOnlyError):
        review.save()
    with pytest.raises(AppendOnlyError):
        review.anchor.delete()


@pytest.mark.parametrize("month", ["2999-01", "2026-13", "nonsense", "9999999", "0001-01"])
def test_a_bad_month_is_a_message(personas, month) -> None:
    client = personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
    page = client.get(reverse("audit:review"), {"month": month})
    assert page.status_code == 200
    assert page.context["review"] is None
    response = client.post(reverse("audit:review"), {"month": month, "note": "x"})
    assert response.status_code == 200
    assert not AccessLogReview.objects.exists() and not AccessLogAnchor.objects.exists()


def test_the_review_defaults_to_last_month(personas) -> None:
    response = personas.login(personas.admin, REMOTE_ADDR=ADDRESS).get(reverse("audit:review"))
    assert response.status_code == 200
    assert response.context["review"] is not None


def test_the_review_in_korean(personas, october) -> None:
    page = review_page(personas.login(personas.admin, browser_language="ko", REMOTE_ADDR=ADDRESS))
    assert "월간 접근 기록 점검" in page
    assert "거부된 시도" in page
    assert "점검 확인 서명" in page


@pytest.mark.parametrize("persona", ["clinician", "desk", "outsider"])
def test_only_the_clinics_admin_reviews(personas, persona) -> None:
    user = getattr(personas, persona)
    assert personas.login(user, REMOTE_ADDR=ADDRESS).get(reverse("audit:review")).status_code == 403
    response = personas.login(user, REMOTE_ADDR=ADDRESS).post(
        reverse("audit:review"), {"month": "2026-10"}
    )
    assert response.status_code == 403
    assert not AccessLogReview.objects.exists()
    assert set(AccessLogEntry.objects.values_list("action", flat=True)) == {"denied"}


def export(client, **data):
    return client.post(reverse("audit:export"), data)


def test_the_export_needs_a_reason(personas, october) -> None:
    before = AccessLogEntry.objects.count()
    response = export(
        personas.login(personas.admin, REMOTE_ADDR=ADDRESS),
        date_from="2026-10-01",
        date_to="2026-10-31",
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert AccessLogEntry.objects.count() == before


def test_the_export_streams_the_clinics_entries_and_is_itself_logged(personas, october) -> None:
    entry(personas.desk, "view", when=at(10), patient=personas.patient, detail="=HYPERLINK(1)")
    response = export(
        personas.login(personas.admin, REMOTE_ADDR=ADDRESS),
        date_from="2026-10-02",
        date_to="2026-10-31",
        reason="보건소 점검 (12월 3일)",
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == (
        'attachment; filename="access-log-seoul-2026-10-02-2026-10-31.csv"'
    )
    logged = AccessLogEntry.objects.filter(action="export", user=personas.admin).get()
    assert logged.detail == "access log CSV 2026-10-02..2026-10-31; reason: 보건소 점검 (12월 3일)"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Time", "User", "Client IP"]
    body = rows[1:]
    assert len(body) == 19  # October 2-31 in Seoul: 12+1 views, 5 others, the added one
    assert all(r[0].startswith("2026-10") for r in body)
    assert not any("권나연" in cell for r in body for cell in r)
    assert "'=HYPERLINK(1)" in [r[8] for r in body]


def test_the_export_form_takes_the_month_from_the_review(personas) -> None:
    response = personas.login(personas.admin, REMOTE_ADDR=ADDRESS).get(
        reverse("audit:export"), {"month": "2026-10"}
    )
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "date_from": date(2026, 10, 1),
        "date_to": date(2026, 10, 31),
    }


@pytest.mark.parametrize(
    "dates",
    [("2026-10-31", "2026-10-01"), ("0001-01-01", "9999-12-31"), ("2026-02-30", "2026-03-01")],
)
def test_bad_export_dates_are_messages(personas, dates) -> None:
    response = export(
        personas.login(personas.admin, REMOTE_ADDR=ADDRESS),
        date_from=dates[0],
        date_to=dates[1],
        reason="inspection",
    )
    assert response.status_code == 200
    assert not AccessLogEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("persona", ["clinician", "desk"])
def test_only_admins_export(personas, persona) -> None:
    client = personas.login(getattr(personas, persona), REMOTE_ADDR=ADDRESS)
    response = export(client, date_from="2026-10-01", date_to="2026-10-31", reason="inspection")
    assert response.status_code == 403
    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == ["denied"]


def test_the_log_page_links_the_review_and_export(personas) -> None:
    page = (
        personas.login(personas.admin, REMOTE_ADDR=ADDRESS)
        .get(reverse("audit:access_log"))
        .content.decode()
    )
    assert reverse("audit:review") in page and reverse("audit:export") in page
