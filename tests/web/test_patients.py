"""Patient search, forms and the chart page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from atlaschart.patients.models import Patient


@pytest.mark.parametrize(
    "query",
    [
        "민준",
        "김민",
        "김민준",
        "minjun",
        "MINJUN KIM",
        "kim",
        "000001",
        "2345",
        "010-2345-6789",
        "01023456789",
        "1985-03",
        "1985-03-02",
        "김 1985",
    ],
)
def test_partial_search_finds_the_patient(personas, query) -> None:
    page = (
        personas.login(personas.desk).get(reverse("patients:list"), {"q": query}).content.decode()
    )
    assert "김민준" in page


@pytest.mark.parametrize("query", ["이서연", "park", "1986", "010-0000", "김 1990"])
def test_search_does_not_find_what_does_not_match(personas, query) -> None:
    page = (
        personas.login(personas.desk).get(reverse("patients:list"), {"q": query}).content.decode()
    )
    assert "김민준" not in page


def test_archived_patients_are_hidden_unless_asked_for(personas) -> None:
    client = personas.login(personas.desk)
    client.post(reverse("patients:archive", args=[personas.patient.pk]))
    assert "김민준" not in client.get(reverse("patients:list"), {"q": "민준"}).content.decode()
    page = client.get(reverse("patients:list"), {"q": "민준", "archived": "on"}).content.decode()
    assert "김민준" in page
    assert Patient.objects.filter(pk=personas.patient.pk).exists()  # archived, never deleted


def test_editing_keeps_the_search_text_in_step(personas) -> None:
    personas.login(personas.desk).post(
        reverse("patients:edit", args=[personas.patient.pk]),
        {
            "name": "김민재",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "preferred_language": "ko",
            "chart_number": "000001",
        },
    )
    page = (
        personas.login(personas.desk).get(reverse("patients:list"), {"q": "민재"}).content.decode()
    )
    assert "김민재" in page


def test_chart_has_header_and_every_section(personas) -> None:
    page = (
        personas.login(personas.clinician)
        .get(reverse("patients:chart", args=[personas.patient.pk]))
        .content.decode()
    )
    assert "000001" in page and "1985-03-02" in page
    for key in ("intake", "safety", "exam", "posture", "imaging", "visits", "outcomes"):
        assert f'id="section-{key}"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": " ", "date_of_birth": "1990-01-01"}, "name", "This field is required."),
        ({"name": "가", "date_of_birth": "1990-02-30"}, "date_of_birth", "Enter a valid date."),
        (
            {"name": "가", "date_of_birth": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "date_of_birth",
            "The date of birth cannot be in the future.",
        ),
        ({"name": "가", "date_of_birth": "1850-01-01"}, "date_of_birth", "more than 130 years ago"),
        ({"name": "가", "date_of_birth": "1990-01-01", "phone": "12"}, "phone", "7 to 15 digits"),
        (
            {"name": "가", "date_of_birth": "1990-01-01", "chart_number": "000001"},
            "chart_number",
            "Another patient already has this chart number.",
        ),
        ({"name": "가" * 500, "date_of_birth": "1990-01-01"}, "name", "at most 120 characters"),
        (
            {"name": "가", "date_of_birth": "1990-01-01", "sex": "robot"},
            "sex",
            "Select a valid choice",
        ),
    ],
)
def test_bad_patient_input_is_a_clear_message_and_nothing_is_saved(
    personas, data, field, message
) -> None:
    before = Patient.objects.count()
    post = {"sex": "unknown", "preferred_language": "ko", **data}
    response = personas.login(personas.desk).post(reverse("patients:create"), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert Patient.objects.count() == before


def test_bad_input_messages_are_in_korean_for_a_korean_user(personas) -> None:
    personas.desk.language = "ko"
    personas.desk.save()
    response = personas.login(personas.desk).post(
        reverse("patients:create"),
        {"name": "가", "date_of_birth": "2999-01-01", "sex": "unknown", "preferred_language": "ko"},
    )
    assert "생년월일은 미래 날짜일 수 없습니다." in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00garbage", b"name=%ZZ&date_of_birth=%%%", b"a" * 10_000, b"name[]=1&name[]=2"],
)
def test_malformed_posts_never_give_a_server_error(personas, body) -> None:
    client = personas.login(personas.desk)
    response = client.generic(
        "POST", reverse("patients:create"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 400)


def test_posts_without_a_csrf_token_are_refused(personas) -> None:
    client = personas.login(personas.desk, enforce_csrf_checks=True)
    response = client.post(
        reverse("patients:create"), {"name": "가", "date_of_birth": "1990-01-01"}
    )
    assert response.status_code == 403
    assert "The form expired" in response.content.decode()
    assert not Patient.objects.filter(name="가").exists()


def test_non_numeric_ids_are_not_found(personas) -> None:
    assert personas.login(personas.desk).get("/patients/abc/").status_code == 404
