"""The page language's names for questionnaires and where their thresholds come from."""

from __future__ import annotations

from django.utils import translation

from atlaschart.measure.instruments.names import cited, display_name


def _language() -> str:
    return (translation.get_language() or "ko")[:2]


def instrument_name(instrument_id: str) -> str:
    """ "목 장애 지수(NDI)" in Korean, "Neck Disability Index (NDI)" in English."""
    return display_name(str(instrument_id), _language())


def threshold_sources(instrument_id: str) -> str:
    """The publications of an instrument's change thresholds (author, year, journal)."""
    return cited(str(instrument_id))
