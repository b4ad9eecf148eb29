"""Patient search through indexes (migration ``patients.0003``) finds exactly what the plain
``LIKE '%word%'`` scan finds, on both engines, and on PostgreSQL reads an index for every length
of word: pg_trgm for three characters or more, the index of characters for one or two (short
Korean names: 김, 이준)."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from django.db import connection, transaction
from django.urls import reverse
from tests.factories import people as factories

from atlaschart.lib.actor import Actor
from atlaschart.patients.access import _matching, _search_term, search_patients
from atlaschart.patients.models import Patient, Sex

FILLERS = 10_000
POSTGRESQL = "postgres" in os.environ.get("DATABASE_URL", "")

PEOPLE = [
    # name, Latin, chart number, phone, date of birth
    ("김민준", "Minjun Kim", "000101", "010-2345-6789", date(1985, 3, 2)),
    ("이준", "Jun Lee", "000102", "010-1111-2222", date(1990, 1, 15)),
    ("이준호", "Junho Lee", "000103", "010-3333-4444", date(1978, 12, 1)),
    ("김", "Kim", "000104", "", date(2001, 5, 5)),
    ("남궁민", "Min Namgung", "000105", "02-555-0100", date(1966, 7, 7)),
    ("박서연", "Seoyeon Park", "A-17", "010-9876-5432", date(1999, 9, 9)),
    ("최준", "Jun Choi", "000107", "010-5678-0000", date(1985, 11, 30)),
]


@pytest.fixture
def people(personas):
    for name, latin, chart, phone, born in PEOPLE:
        factories.patient(
            personas.desk,
            chart_number=chart,
            name=name,
            name_latin=latin,
            date_of_birth=born,
            sex=Sex.UNKNOWN,
            phone=phone,
        )
    return personas


def found(personas, query: str) -> set[str]:
    return {p.name for p in search_patients(Actor.system(personas.desk, via="cli"), query)}


def scanned(personas, query: str) -> set[str]:
    """The plain scan, as search was before the indexes: the meaning every path must keep."""
    patients = Patient.objects.filter(clinic=personas.seoul, archived_at__isnull=True)
    for word in query.split():
        patients = patients.filter(search_text__contains=_search_term(word))
    return {p.name for p in patients}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # one syllable: a family name, and a syllable inside a given name
        ("김", {"김민준", "김"}),
        ("준", {"김민준", "이준", "이준호", "최준"}),
        ("궁", {"남궁민"}),
        # two syllables: a whole short name, a given name, the start of a name
        ("이준", {"이준", "이준호"}),
        ("민준", {"김민준"}),
        ("남궁", {"남궁민"}),
        # three syllables
        ("김민준", {"김민준"}),
        ("이준호", {"이준호"}),
        ("준호", {"이준호"}),
        # Latin, any case, one, two and more letters
        ("k", {"김민준", "김", "박서연"}),
        ("Le", {"이준", "이준호"}),
        ("LEE", {"이준", "이준호"}),
        ("jun", {"김민준", "이준", "이준호", "최준"}),
        # chart numbers, whole and in part
        ("000103", {"이준호"}),
        ("a-17", {"박서연"}),
        ("17", {"박서연"}),
        # phone digits, as typed or bare, and a date of birth
        ("5678", {"김민준", "최준"}),
        ("010-5678-0000", {"최준"}),
        ("0255", {"남궁민"}),
        ("1985-03", {"김민준"}),
        ("1985", {"김민준", "최준"}),
        # two words: both must match
        ("김 1985", {"김민준"}),
        ("준 1985", {"김민준", "최준"}),
        ("이 준", {"이준", "이준호"}),
        # nothing
        ("박준", set()),
        ("zz", set()),
    ],
)
def test_search_finds_what_the_scan_finds(people, query, expected) -> None:
    assert found(people, query) == expected
    assert scanned(people, query) == expected


@pytest.mark.parametrize("query", ["%", "_", "\\", "%%", "김%", "_준", "'", '"'])
def test_wildcards_are_plain_characters(people, query) -> None:
    assert found(people, query) == scanned(people, query) == set()


def test_a_nul_character_in_the_query_is_dropped_not_a_server_error(people) -> None:
    # PostgreSQL text cannot hold NUL: a query passed straight from a page (the imaging inbox's
    # patient search) was a 500 there before search_patients dropped it.
    assert found(people, "\x00") == found(people, "")
    assert found(people, "김민\x00준") == {"김민준"}


def test_the_list_page_finds_a_one_syllable_name_in_korean(people) -> None:
    client = people.login(people.desk, browser_language="ko")
    page = client.get(reverse("patients:list"), {"q": "김"}).content.decode()
    assert "김민준" in page and "이준호" not in page


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        return json.dumps(cursor.fetchone()[0])


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL only (DATABASE_URL=postgres://...)")
@pytest.mark.parametrize(
    ("word", "index"),
    [
        ("김", "patients_search_characters"),
        ("이준", "patients_search_characters"),
        ("k", "patients_search_characters"),
        ("01", "patients_search_characters"),
        ("김민준", "patients_search_trigram"),
        ("jun", "patients_search_trigram"),
        ("000103", "patients_search_trigram"),
        ("5678", "patients_search_trigram"),
    ],
)
def test_every_length_of_word_reads_an_index(people, word, index) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
    patients = _matching(Patient.objects.all(), _search_term(word), postgresql=True)
    shown = plan(patients.values("id"))
    assert f'"Index Name": "{index}"' in shown, shown
    assert '"Seq Scan"' not in shown


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL only (DATABASE_URL=postgres://...)")
def test_the_search_page_query_reads_an_index(people) -> None:
    """The whole query of the page (clinic, not archived, ordered by name, the first 50): a
    frequent word may walk the clinic's patients in name order instead; never the table. Among
    2,000 other patients, so that reading the whole clinic costs what it would in practice."""
    from django.test.utils import CaptureQueriesContext

    # Ten thousand rows in one bulk insert, not one service call each: the plan is what is
    # tested, and the service's per-patient access-log rows would only slow the setup.
    fillers = [
        Patient(
            clinic=people.seoul,
            chart_number=f"F{i:05d}",
            name=f"환자{i}",
            date_of_birth=date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
        )
        for i in range(FILLERS)
    ]
    for filler in fillers:
        filler.search_text = filler.build_search_text()
    Patient.objects.bulk_create(fillers)
    with connection.cursor() as cursor:
        # What autovacuum does in production: the GIN indexes' pending entries go into the
        # index proper (until then the planner rightly prices the index higher) and fresh
        # statistics.
        for index in ("patients_search_characters", "patients_search_trigram"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE patients_patient")
    for query in ("김", "이준", "김민준", "김 1985"):
        with CaptureQueriesContext(connection) as queries:
            search_patients(Actor.system(people.desk, via="cli"), query)
        select = next(q["sql"] for q in queries if q["sql"].startswith("SELECT"))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + select)
            shown = json.dumps(cursor.fetchone()[0])
        assert '"Seq Scan"' not in shown
        assert any(
            f'"Index Name": "{name}"' in shown
            for name in (
                "patients_search_characters",
                "patients_search_trigram",
                "patients_by_clinic_name",
            )
        ), shown
