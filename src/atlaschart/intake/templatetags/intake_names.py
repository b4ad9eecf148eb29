"""``{{ response.instrument|instrument_name }}``: a questionnaire's name as a clinician writes it
in the page's language ("목 장애 지수(NDI)"), never its id."""

from __future__ import annotations

from django import template

from atlaschart.intake.names import instrument_name

register = template.Library()
register.filter("instrument_name", instrument_name)


@register.filter
def band_words(band: str) -> str:
    """A score band in the page's language ("moderate" -> "중등도")."""
    from atlaschart.intake.presenters import band_text

    return band_text(str(band or ""))


@register.filter
def reason_words(reason: str) -> str:
    """Why a questionnaire could not be scored, in the page's language (the core writes
    English)."""
    from atlaschart.intake.outcomes import reason_text

    return reason_text(str(reason or ""))
