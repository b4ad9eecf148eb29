"""The words and number formats every exam kind's display uses: values with their unit, yes/no,
the translated label of a core value, titled tables.

Stored data that does not fit (an older record, a hand edit) never breaks a page: an unknown value
is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, SupportsFloat, SupportsIndex

from django.utils.translation import gettext as _

from atlaschart.exams import labels as L

Raw = Mapping[str, Any]


@dataclass(frozen=True)
class Table:
    """A titled table: ``headers`` (empty for a plain label/value list) and ``rows``; the first
    cell of each row is its heading."""

    title: str
    rows: tuple[tuple[str, ...], ...]
    headers: tuple[str, ...] = ()
    note: str = ""


#: What a kind's display of the entered values returns: its tables and the raw keys they show
#: (the rest is listed "as stored").
Entered = tuple[list[Table], set[str]]


def num(value: object, places: int = 2) -> str:
    """A number rounded half up to ``places`` decimals, trailing zeros dropped (6.35, 3.18, 4)."""
    if not isinstance(value, (str, bytes, SupportsFloat, SupportsIndex)):
        return str(value)  # float() would refuse it (TypeError)
    try:
        d = Decimal(repr(float(value)))
    except (TypeError, ValueError, InvalidOperation):
        return str(value)
    text = format(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def mm(value: object) -> str:
    return f"{num(value)} mm"


def deg(value: object) -> str:
    return f"{num(value, 1)}°"


def yes_no(value: object, unknown: str | None = None) -> str:
    return tri(value, _("Yes"), _("No"), _("Not examined") if unknown is None else unknown)


def tri(value: object, true: str, false: str, unknown: str) -> str:
    return true if value is True else false if value is False else unknown


def label(table: Mapping[str, L.Label], value: object) -> str:
    """The translated label of a core value; the value itself if the table lacks it."""
    if value in (None, ""):
        return "—"
    return str(table.get(str(value), value))


def side_lower(side: object) -> str:
    return {"left": _("left"), "right": _("right")}.get(str(side), str(side))


def present(value: object) -> bool:
    return value not in (None, "", [], False)


def kv(title: str, rows: Iterable[tuple[str, str]]) -> Table | None:
    """A label/value table of the rows that have a value; None when none has."""
    rows = tuple(r for r in rows if r[1] not in ("", "—"))
    return Table(title, rows) if rows else None


def only(table: Table | None) -> list[Table]:
    return [table] if table else []
