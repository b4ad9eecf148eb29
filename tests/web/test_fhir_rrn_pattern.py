"""Which text the export masks as a resident registration number (fhir/export.py ``RRN``).

A number typed into a note is masked; digits that happen to sit inside a checksum or a UID are
not, because the Bundle is masked as text and changing a hash would corrupt it (a SHA-256 of a
random photo holds a 13-digit run that looks like an RRN now and then: the export test failed
once in CI that way)."""

from __future__ import annotations

import pytest

from atlaschart.fhir.export import RRN


@pytest.mark.parametrize(
    "text",
    [
        "주민번호 850302-1234567 확인함",
        "RRN 8503021234567",
        "번호850302-1234567",
        "850302 - 1234567",
        "(991231-2345678)",
    ],
)
def test_a_typed_number_is_found(text: str) -> None:
    assert RRN.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "9f2a8503021234567c0d",  # inside a hex SHA-256
        "Zm9v8503021234567YmFy",  # inside base64
        "ab+8503021234567/cd",  # base64's other characters
        "1.2.840.8503021234567.1",  # a dotted UID
        "185030212345678",  # a longer run of digits
        "851302-1234567",  # month 13
        "850302-9234567",  # no such seventh-digit code
    ],
)
def test_digits_inside_a_value_are_not_a_number(text: str) -> None:
    assert not RRN.search(text)
