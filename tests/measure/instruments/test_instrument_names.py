"""Instrument names as a clinician in Korea writes them, and thresholds cited as publications.

Expected names are written out by hand (the Korean name with the Latin abbreviation in brackets,
as Korean charts and the Korean validation papers write them: Lee JS et al., Eur Spine J 2011 for
the RMDQ; Kim DY et al., Spine 2005 for the ODI)."""

from __future__ import annotations

import re

import pytest

from atlaschart.measure.instruments import INSTRUMENTS
from atlaschart.measure.instruments.names import (
    CHANGE_CITATIONS,
    DISPLAY_NAMES,
    cited,
    display_name,
)


@pytest.mark.parametrize(
    ("instrument", "korean", "english"),
    [
        ("ndi", "목 장애 지수(NDI)", "Neck Disability Index (NDI)"),
        ("odi", "오스웨스트리 장애 지수(ODI)", "Oswestry Disability Index (ODI)"),
        ("nprs", "숫자 통증 척도(NPRS)", "Numeric Pain Rating Scale (NPRS)"),
        ("dhi", "어지럼 장애 척도(DHI)", "Dizziness Handicap Inventory (DHI)"),
    ],
)
def test_names_are_the_clinics_words_with_the_abbreviation(instrument, korean, english) -> None:
    assert display_name(instrument, "ko") == korean
    assert display_name(instrument, "en") == english


def test_every_instrument_has_a_korean_and_an_english_name() -> None:
    assert set(DISPLAY_NAMES) == set(INSTRUMENTS)
    for instrument_id, names in DISPLAY_NAMES.items():
        assert re.search(r"[가-힣]", names["ko"]), instrument_id
        assert not re.search(r"[가-힣]", names["en"]), instrument_id
        # Both end with the same abbreviation in brackets.
        abbreviation = names["en"].rsplit("(", 1)[1]
        assert names["ko"].endswith("(" + abbreviation), instrument_id


def test_an_unknown_language_reads_english_and_an_unknown_id_itself() -> None:
    assert display_name("ndi", "fr") == "Neck Disability Index (NDI)"
    assert display_name("no-such", "ko") == "no-such"


def test_every_instrument_cites_publications_never_a_file() -> None:
    assert set(CHANGE_CITATIONS) == set(INSTRUMENTS)
    for instrument_id in INSTRUMENTS:
        text = cited(instrument_id)
        assert text, instrument_id
        assert ".md" not in text and "§" not in text, instrument_id
        for citation in CHANGE_CITATIONS[instrument_id]:
            assert 1980 <= citation.year <= 2026 and citation.journal and citation.title


def test_a_citation_reads_author_year_journal() -> None:
    # Ostelo et al., Spine 2008;33(1):90-94 and Jacobson & Newman, 1990 (two authors: both named).
    assert cited("nprs").startswith("Ostelo RWJG et al., 2008, Spine 33(1):90-94; Dworkin RH")
    assert cited("dhi") == (
        "Jacobson GP & Newman CW, 1990, Arch Otolaryngol Head Neck Surg 116(4):424-427"
    )
