"""The partners' read API: parameters, search with paging, the CapabilityStatement and the
OperationOutcome of every error (docs/api.md). The HTTP side is views.py.

Search runs over the registry (registry.py): every source of the asked resource type, in
``SOURCES`` order, each source's rows by primary key. The page cursor is a keyset position
(source index, row pk), so following ``next`` to the end hands out every matching row exactly once
even while rows are added, and a page costs the same however deep it is. The registry's
``patient_id``, ``when`` and ``codes`` decide what matches; they are Python functions of a row, so
the filters run on the rows as they are read (a source that names its ``patient_field`` lookup is
first narrowed in the database to that patient's rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.fhir import registry

#: The FHIR release the resources follow (R4, as the HL7 Korea core profiles).
FHIR_VERSION = "4.0.1"
DEFAULT_COUNT = 20
MAX_COUNT = 100
# Rows read from the database per round trip while filtering.
_CHUNK = 200
# A search stops reading after this many rows without filling its page and hands a ``next`` link
# from where it stopped, so one request's cost is bounded however sparse the matches are.
SCAN_LIMIT = 5000

SEARCH_PARAMS: tuple[tuple[str, str, str], ...] = (
    ("patient", "reference", "The patient the resource is about: Patient/<id>."),
    (
        "date",
        "date",
        "When it happened or was recorded; prefixes eq, ne, gt, lt, ge, le; repeat for a range.",
    ),
    ("code", "token", "A code the resource carries: system|code, code, system| or |code."),
)
# Parameters of the result set, not of the resources (FHIR's own names, plus our cursor).
CONTROL_PARAMS = ("_count", "_cursor", "_format")


class ApiError(Exception):
    """An error the API answers with an OperationOutcome."""

    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.code = code  # the FHIR issue type (http://hl7.org/fhir/issue-type)
        self.text = text


def bad_parameter(text: str) -> ApiError:
    return ApiError(400, "invalid", text)


def not_found() -> ApiError:
    # One wording for a resource that does not exist and one of another clinic: nothing tells
    # them apart.
    return ApiError(404, "not-found", _("No such resource."))


def operation_outcome(code: str, text: str) -> dict[str, Any]:
    """An OperationOutcome (validated by fhir.resources) as JSON data."""
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    outcome = OperationOutcome.model_validate(
        {
            "issue": [
                {"severity": "error", "code": code, "diagnostics": text, "details": {"text": text}}
            ]
        }
    )
    return _data(outcome)


def _data(resource: Any) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(resource.model_dump_json(exclude_none=True))
    return data


# ------------------------------------------------------------------------------ parameters

_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d{1,9})?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@dataclass(frozen=True)
class DateRange:
    """A date parameter as the half-open interval its precision names, and its prefix."""

    prefix: str
    start: datetime
    end: datetime

    def matches(self, value: datetime | date | None) -> bool:
        if value is None:
            return False
        low, high = _interval(value)
        if self.prefix == "eq":
            return low >= self.start and high <= self.end
        if self.prefix == "ne":
            return not (low >= self.start and high <= self.end)
        if self.prefix == "gt":
            return high > self.end
        if self.prefix == "ge":
            return high > self.start
        if self.prefix == "lt":
            return low < self.start
        return low < self.end  # le


def _zone() -> Any:
    return timezone.get_default_timezone()


def _interval(value: datetime | date) -> tuple[datetime, datetime]:
    """A resource's time as an interval: an instant is a point, a date its whole (local) day."""
    if isinstance(value, datetime):
        aware = value if timezone.is_aware(value) else timezone.make_aware(value, _zone())
        return aware, aware + timedelta(microseconds=1)
    start = timezone.make_aware(datetime.combine(value, time.min), _zone())
    return start, timezone.make_aware(
        datetime.combine(value + timedelta(days=1), time.min), _zone()
    )


def parse_date(raw: str) -> DateRange:
    prefix = raw[:2] if raw[:2] in _PREFIXES else "eq"
    text = raw[2:] if raw[:2] in _PREFIXES else raw
    match = _DATE.match(text)
    if match is None:
        raise bad_parameter(
            _("The date %(value)s is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime).")
            % {"value": raw[:40]}
        )
    try:
        year = int(match["y"])
        if match["m"] is None:
            start_day, end_day = date(year, 1, 1), date(year + 1, 1, 1)
        elif match["d"] is None:
            month = int(match["m"])
            start_day = date(year, month, 1)
            end_day = date(year + (month == 12), month % 12 + 1, 1)
        else:
            start_day = date(year, int(match["m"]), int(match["d"]))
            end_day = start_day + timedelta(days=1)
        if match["H"] is None:
            start = timezone.make_aware(datetime.combine(start_day, time.min), _zone())
            end = timezone.make_aware(datetime.combine(end_day, time.min), _zone())
        else:
            seconds = match["S"] is not None
            naive = datetime.combine(
                start_day, time(int(match["H"]), int(match["M"]), int(match["S"] or 0))
            )
            tz = match["tz"]
            if tz is None:
                start = timezone.make_aware(naive, _zone())
            else:
                start = datetime.fromisoformat(naive.isoformat() + ("+00:00" if tz == "Z" else tz))
            end = start + (timedelta(seconds=1) if seconds else timedelta(minutes=1))
    except (ValueError, OverflowError):
        raise bad_parameter(_("The date %(value)s does not exist.") % {"value": raw[:40]}) from None
    return DateRange(prefix, start, end)


@dataclass(frozen=True)
class CodeFilter:
    """One ``code`` value: ``system|code``, ``code`` (any system), ``system|`` or ``|code``."""

    system: str | None  # None: any system; "": no system
    code: str | None  # None: any code

    def matches(self, codes: list[tuple[str, str]]) -> bool:
        return any(
            (self.system is None or (system or "") == self.system)
            and (self.code is None or code == self.code)
            for system, code in codes
        )


def parse_code(raw: str) -> list[CodeFilter]:
    """A comma-separated list of token values (any of them matches)."""
    filters = []
    for part in _split_commas(raw):
        if "|" in part:
            system, _bar, code = part.partition("|")
            if "|" in code or (not system and not code):
                raise bad_parameter(
                    _("The code %(value)s is not system|code.") % {"value": part[:80]}
                )
            filters.append(CodeFilter(system=system, code=code or None))
        elif part:
            filters.append(CodeFilter(system=None, code=part))
        else:
            raise bad_parameter(_("The code parameter is empty."))
    return filters


def _split_commas(raw: str) -> list[str]:
    # FHIR escapes a literal comma in a value as "\,".
    parts = re.split(r"(?<!\\),", raw)
    return [p.replace("\\,", ",") for p in parts]


_PATIENT_REF = re.compile(r"^(?:Patient/)?(?P<id>[A-Za-z0-9.\-]{1,64})$")


def parse_patient(raw: str) -> int:
    """The database id of the patient a ``patient`` value names (``Patient/<id>`` or ``<id>``).

    A well-formed id of no patient (or of another clinic's) is not an error: the search simply
    finds nothing, as FHIR asks."""
    match = _PATIENT_REF.match(raw)
    found = registry.source_of_id("Patient", match["id"]) if match else None
    if match is None:
        raise bad_parameter(
            _("The patient parameter must be Patient/<id>, not %(value)s.") % {"value": raw[:80]}
        )
    return found[1] if found is not None else -1


@dataclass(frozen=True)
class Cursor:
    """A keyset position: the page starts after (or ends before) row ``pk`` of source ``index``."""

    backwards: bool
    index: int
    pk: int

    def encode(self) -> str:
        return f"{'b' if self.backwards else 'a'}{self.index}.{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        match = re.fullmatch(r"([ab])(\d{1,4})\.(\d{1,18})", raw)
        if match is None:
            raise bad_parameter(_("The page cursor is not one this server gave."))
        return cls(match[1] == "b", int(match[2]), int(match[3]))


@dataclass
class Search:
    """A search request, parsed."""

    resource_type: str
    count: int = DEFAULT_COUNT
    patient: int | None = None
    dates: list[DateRange] = field(default_factory=list)
    codes: list[CodeFilter] | None = None
    cursor: Cursor | None = None
    params: list[tuple[str, str]] = field(default_factory=list)  # the filters, for links

    def matches(self, source: registry.ResourceSource, row: Any) -> bool:
        if self.patient is not None and source.patient_id(row) != self.patient:
            return False
        if self.dates:
            when = source.when(row)
            if not all(d.matches(when) for d in self.dates):
                return False
        return self.codes is None or any(c.matches(source.codes(row)) for c in self.codes)


def parse_search(resource_type: str, query: Any) -> Search:
    """``query`` is the request's QueryDict. Unknown parameters are refused (400), not ignored: a
    misspelt ``patinet=`` must not hand over every patient's records."""
    search = Search(resource_type)
    known = {name for name, _t, _d in SEARCH_PARAMS} | set(CONTROL_PARAMS)
    for name in query:
        if name not in known:
            raise bad_parameter(
                _("This server does not support the search parameter %(name)s.")
                % {"name": name[:40]}
            )
        values = query.getlist(name)
        if name != "date" and len(values) > 1:
            raise bad_parameter(_("The parameter %(name)s is given twice.") % {"name": name})
    if "_format" in query and query["_format"] not in ("json", "application/fhir+json"):
        raise ApiError(406, "not-supported", _("This server answers in JSON only."))
    if "_count" in query:
        raw = query["_count"]
        if not raw.isdigit() or not 1 <= int(raw[:4]) <= MAX_COUNT or len(raw) > 4:
            raise bad_parameter(
                _("_count must be a whole number from 1 to %(max)s.") % {"max": MAX_COUNT}
            )
        search.count = int(raw)
    if "patient" in query:
        search.patient = parse_patient(query["patient"])
        search.params.append(("patient", query["patient"]))
    for raw in query.getlist("date"):
        search.dates.append(parse_date(raw))
        search.params.append(("date", raw))
    if len(search.dates) > 4:
        raise bad_parameter(_("At most four date parameters."))
    if "code" in query:
        search.codes = parse_code(query["code"])
        search.params.append(("code", query["code"]))
    if "_cursor" in query:
        search.cursor = Cursor.decode(query["_cursor"])
    return search


# --------------------------------------------------------------------------------- search


@dataclass(frozen=True)
class Hit:
    index: int
    source: registry.ResourceSource
    row: Any


@dataclass(frozen=True)
class Page:
    hits: list[Hit]
    next: Cursor | None
    prev: Cursor | None


def _narrowed(source: registry.ResourceSource, rows: Any, search: Search) -> Any:
    """The database half of the patient filter, where the source names its patient lookup
    (``patient_id`` still decides, so a lookup that disagreed could only narrow, never widen)."""
    lookup = getattr(source, "patient_field", "")
    if search.patient is None or not lookup:
        return rows
    return rows.filter(**{lookup: search.patient})


def _scan(
    actor: Any, search: Search, start: Cursor | None, backwards: bool, budget: list[int]
) -> Iterator[Hit]:
    """Matching rows from ``start`` on (exclusive), forwards or backwards in keyset order.
    ``budget`` (one number, shared) counts the rows read; the scan stops when it runs out."""
    sources = registry.sources_of(search.resource_type)
    indices = range(len(sources) - 1, -1, -1) if backwards else range(len(sources))
    for index in indices:
        if start is not None and (index > start.index if backwards else index < start.index):
            continue
        source = sources[index]
        rows = _narrowed(source, source.rows(actor), search)
        if start is not None and index == start.index:
            rows = rows.filter(pk__lt=start.pk) if backwards else rows.filter(pk__gt=start.pk)
        rows = rows.order_by("-pk" if backwards else "pk")
        for row in rows.iterator(chunk_size=_CHUNK):
            budget[0] -= 1
            if search.matches(source, row):
                yield Hit(index, source, row)
            if budget[0] <= 0:
                # Out of budget: the caller ends the page here (a cursor at this row).
                yield Hit(index, source, _Stop(row.pk))
                return


@dataclass(frozen=True)
class _Stop:
    pk: int


def search_page(actor: Any, search: Search) -> Page:
    """One page of matches, and the cursors of the pages before and after it.

    A forward cursor ``a<i>.<pk>`` starts after that row; a backward one ``b<i>.<pk>`` ends
    before it. A scan that reads ``SCAN_LIMIT`` rows without filling the page ends the page early
    at the row it stopped on (``next`` goes on from there), so a page may hold fewer than
    ``_count`` matches without being the last.
    """
    cursor = search.cursor
    nxt: Cursor | None
    if cursor is not None and cursor.backwards:
        hits, stopped = _take(_scan(actor, search, cursor, True, [SCAN_LIMIT]), search.count)
        hits.reverse()
        if hits:
            first, last = hits[0], hits[-1]
            nxt = Cursor(False, last.index, last.row.pk)
            before = Cursor(True, first.index, first.row.pk)
        else:
            nxt = Cursor(False, cursor.index, cursor.pk - 1)
            before = cursor
        if stopped is not None:
            prev: Cursor | None = Cursor(True, stopped.index, stopped.pk)
        else:
            prev = before if hits and _any_before(actor, search, before) else None
        return Page(hits, nxt, prev)

    hits, stopped = _take(_scan(actor, search, cursor, False, [SCAN_LIMIT]), search.count + 1)
    nxt = None
    if len(hits) > search.count:
        hits = hits[: search.count]
        nxt = Cursor(False, hits[-1].index, hits[-1].row.pk)
    elif stopped is not None:
        nxt = stopped
    prev = None
    if cursor is not None:
        before = (
            Cursor(True, hits[0].index, hits[0].row.pk)
            if hits
            else Cursor(True, cursor.index, cursor.pk + 1)
        )
        prev = before if _any_before(actor, search, before) else None
    return Page(hits, nxt, prev)


def _take(hits: Iterator[Hit], n: int) -> tuple[list[Hit], Cursor | None]:
    taken: list[Hit] = []
    for hit in hits:
        if isinstance(hit.row, _Stop):
            return taken, Cursor(False, hit.index, hit.row.pk)
        taken.append(hit)
        if len(taken) >= n:
            break
    return taken, None


def _any_before(actor: Any, search: Search, before: Cursor) -> bool:
    hits, stopped = _take(_scan(actor, search, before, True, [SCAN_LIMIT]), 1)
    return bool(hits) or stopped is not None


def link(base_url: str, search: Search, cursor: Cursor | None) -> str:
    params = [*search.params, ("_count", str(search.count))]
    if cursor is not None:
        params.append(("_cursor", cursor.encode()))
    return f"{base_url}?{urlencode(params)}"


# ---------------------------------------------------------------------- capability statement


def capability_statement(base_url: str) -> dict[str, Any]:
    """What this server does: read and search of every resource type in the registry."""
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    params = [
        {"name": name, "type": kind, "documentation": doc} for name, kind, doc in SEARCH_PARAMS
    ]
    statement = CapabilityStatement.model_validate(
        {
            "status": "active",
            "date": timezone.now().date().isoformat(),
            "kind": "instance",
            "publisher": "AtlasChart",
            "software": {"name": "AtlasChart"},
            "implementation": {"description": "AtlasChart read-only FHIR API", "url": base_url},
            "fhirVersion": FHIR_VERSION,
            "format": ["application/fhir+json", "json"],
            "rest": [
                {
                    "mode": "server",
                    "documentation": "Read-only. Bearer API tokens made by the clinic admin; "
                    "each token reads its own clinic's records only. Paging: follow the Bundle's "
                    "next link (_cursor is opaque).",
                    "security": {
                        "cors": False,
                        "description": "Authorization: Bearer <token> (docs/api.md).",
                    },
                    "resource": [
                        {
                            "type": resource_type,
                            "interaction": [{"code": "read"}, {"code": "search-type"}],
                            "searchParam": params,
                        }
                        for resource_type in registry.resource_types()
                    ],
                }
            ],
        }
    )
    return _data(statement)
