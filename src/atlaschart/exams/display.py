"""Exam records in words, in the user's language: the one-line summary shown in lists and the
tables of the detail page, each from the record's kind (``exams.kinds``).

Everything here is computed from a record's stored ``raw`` inputs and ``derived`` values at display
time, so a record reads in Korean for a Korean user and in English for an English one, whoever
saved it. Values carry their unit; grades name their scale; sides are the patient's.
Stored data that does not fit (an older record, a hand edit, a kind no longer registered) never
breaks a page: unknown entries are listed as they are, and the summary falls back to the stored
text.
"""

from __future__ import annotations

from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from atlaschart.exams.kinds import find
from atlaschart.exams.wording import Raw, Table, present

_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError)


def entered_tables(kind: str, raw: Raw, derived: Raw | None = None) -> list[Table]:
    """The entered values as labelled tables. Entries the kind does not show (none, for records
    saved by the current forms) come last, as stored."""
    derived = derived or {}
    spec = find(kind)
    try:
        tables, used = spec.entered(dict(raw), dict(derived)) if spec else ([], set())
    except _UNREADABLE:
        tables, used = [], set()  # data the kind cannot read: list it as stored
    rest = tuple((str(k), str(v)) for k, v in raw.items() if k not in used and present(v))
    if rest:
        tables.append(Table(_("Other entries"), rest))
    return tables


def computed_rows(kind: str, derived: Raw) -> list[tuple[str, str]]:
    """The derived values with labels and units; the algorithms that made them last."""
    spec = find(kind)
    try:
        rows = spec.computed(dict(derived)) if spec else []
    except _UNREADABLE:
        rows = [(str(k), str(v)) for k, v in derived.items() if k != "algorithms"]
    if derived.get("algorithms"):
        # Algorithm ids are provenance, shown verbatim as identifiers (not words to translate).
        ids = format_html_join(", ", "<code>{}</code>", ((str(a),) for a in derived["algorithms"]))
        rows.append((_("Algorithm"), ids))
    return rows


def summary(kind: str, raw: Raw, derived: Raw) -> str:
    """One line for lists (chart, visit), in the current language."""
    spec = find(kind)
    return spec.summary(dict(raw), dict(derived)) if spec else ""
