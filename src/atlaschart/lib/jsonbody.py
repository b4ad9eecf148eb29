"""Reading a JSON request body without a 500 on hostile input.

``json.loads`` raises ``RecursionError`` on a few thousand nested brackets and Python's ``int``
parser raises ``ValueError`` past 4,300 digits; PostgreSQL refuses ``\\u0000`` and lone surrogates
in text. :func:`parse_json` turns each of those into :class:`BadJSON`, whose message is shown to
the user (already translated), before anything is stored.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 20
MAX_INT_DIGITS = 30


class BadJSON(ValueError):
    """The body is not JSON we accept; ``str(error)`` is a message in the user's language."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BadJSON(_("A number in the data is too large."))
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJSON(_("A number in the data is too large."))
    return value


def _reject_constant(name: str) -> float:
    raise BadJSON(_("A number in the data is not a finite number."))


def _check(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise BadJSON(_("The data is nested too deeply."))
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise BadJSON(_("The data contains a character that cannot be stored."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadJSON(_("The data contains a character that cannot be stored.")) from None


def parse_json(raw: bytes | str, *, max_bytes: int = 2_000_000) -> Any:
    """The decoded JSON value, or :class:`BadJSON` with a message for the user."""
    if len(raw) > max_bytes:
        raise BadJSON(_("The data is too large."))
    try:
        value = json.loads(
            raw,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_reject_constant,
        )
    except RecursionError:
        raise BadJSON(_("The data is nested too deeply.")) from None
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, BadJSON):
            raise
        raise BadJSON(_("The data is not valid JSON.")) from None
    _check(value, 0)
    return value
