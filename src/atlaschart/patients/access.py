"""The one door to patient records (demographics).

Views never query ``Patient`` directly: they call these helpers, built on the shared
``atlaschart.lib.access.Door``, which scope every query to the signed-in user's clinic and write
the access log. A patient of another clinic is a 404, exactly as a patient that does not exist, so
existence is not leaked. tests/web/test_patient_access.py and the URL walk prove each condition.
"""

from __future__ import annotations

import re

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import Func, QuerySet, TextField
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.lib.access import Door, log_shown
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient, digits_only

SEARCH_PAGE_SIZE = 50

patient_door = Door(
    Patient, clinic_field="clinic_id", patient_attr="self", related=("clinic",), label="patient"
)


def patients_of_clinic(who: Actor | HttpRequest) -> QuerySet[Patient]:
    """All patients the user's clinic holds (not logged: callers log what they show)."""
    return patient_door.of_clinic(who)


def get_patient_for_user(
    who: Actor | HttpRequest, patient_id: int, action: Action = Action.VIEW, detail: str = ""
) -> Patient:
    """The patient with this id in the user's clinic, logged as ``action``; else 404."""
    return patient_door.get(who, patient_id, action, detail)


def search_patients(
    who: Actor | HttpRequest, query: str, *, include_archived: bool = False
) -> list[Patient]:
    """Patients matching a partial name (Hangul or Latin), chart number, phone or date of birth.

    Each word of the query must match somewhere (so "김 1985" finds a Kim born in 1985). Every
    patient shown is written to the access log. At most ``SEARCH_PAGE_SIZE`` results.
    """
    # A NUL character cannot be stored or compared in PostgreSQL text (it would be a 500 from
    # any page that passes a typed query through); it never belongs to a name or a number.
    query = query.replace("\x00", "")
    patients = patients_of_clinic(who)
    if not include_archived:
        patients = patients.filter(archived_at__isnull=True)
    postgresql = connections[patients.db].vendor == "postgresql"
    for word in query.split():
        patients = _matching(patients, _search_term(word), postgresql=postgresql)
    results = list(patients.order_by("name", "id")[:SEARCH_PAGE_SIZE])
    log_shown(who, results, detail=f"search: {query}"[:300])
    return results


# A trigram index answers a word of this many characters or more (pg_trgm splits text into
# three-character pieces); shorter words go through the index of characters.
TRIGRAM_MIN_CHARS = 3


class Characters(Func):
    """``string_to_array(text, NULL)``: the text's characters as an array, as the index
    ``patients_search_characters`` of migration ``patients.0003`` holds ``search_text``."""

    template = "string_to_array(%(expressions)s, NULL)"
    output_field = ArrayField(TextField())


def _matching(patients: QuerySet[Patient], term: str, *, postgresql: bool) -> QuerySet[Patient]:
    """Patients whose ``search_text`` contains ``term``, through an index on PostgreSQL.

    The test is always the one searches have always had, the term anywhere in ``search_text``
    (``LIKE '%term%'``; so 민준 finds 김민준); on PostgreSQL an index narrows the rows it runs on.
    Three or more characters: the pg_trgm index answers the ``LIKE`` itself. One or two: the
    index of characters finds the patients whose text has every character of the term, and the
    ``LIKE`` keeps those where they stand together. SQLite has no such index and scans.
    """
    patients = patients.filter(search_text__contains=term)
    if not postgresql or len(term) >= TRIGRAM_MIN_CHARS:
        return patients
    return patients.alias(characters=Characters("search_text")).filter(
        # django-stubs types an alias's lookups by the column it wraps (text), not by the
        # expression's output_field (Characters: an array of text).
        characters__contains=sorted(set(term))  # type: ignore[misc]
    )


_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_PHONE_LIKE = re.compile(r"[\d\-.()+]+")


def _search_term(word: str) -> str:
    """How one query word is matched against ``Patient.search_text``.

    A date (1985-03-02, 1985-03) matches the stored ISO date; a word of digits and phone punctuation
    (010-1234-5678) matches by its digits; anything else (Hangul, Latin, chart number) in
    lower case.
    """
    if _DATE.fullmatch(word):
        return word
    if _PHONE_LIKE.fullmatch(word) and digits_only(word):
        return digits_only(word)
    return word.lower()
