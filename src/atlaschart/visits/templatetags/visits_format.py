"""Numbers on visit records as a clinician writes them: 10, 2.5, 0.25 (no "1E+1", no "10.00")."""

from __future__ import annotations

from typing import Any

from django import template

from atlaschart.visits.techniques import plain_number

register = template.Library()


@register.filter
def plain(value: Any) -> str:
    return "" if value is None else plain_number(value)
