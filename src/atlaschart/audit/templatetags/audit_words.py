"""``{{ entry|described }}``: an access log entry's object and detail in the reader's words."""

from __future__ import annotations

from typing import Any

from django import template

from atlaschart.audit.describe import Described, describe

register = template.Library()


@register.filter
def described(entry: Any) -> Described:
    return describe(entry)
