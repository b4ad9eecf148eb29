from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from atlaschart.audit.describe import describe
from atlaschart.audit.forms import AccessLogFilterForm, ExportForm, ReviewMonthForm, SignOffForm
from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.audit.review import review_month, sign_off
from atlaschart.audit.services import log_access
from atlaschart.lib.http import AuthenticatedHttpRequest, clinic_id_of
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.patients.access import patients_of_clinic

PAGE_SIZE = 100


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _in_range(
    entries: QuerySet[AccessLogEntry], first: date | None, last: date | None
) -> QuerySet[AccessLogEntry]:
    """Entries from the start of ``first`` to the end of ``last`` (the forms keep both within
    the years the log can hold, so the day after ``last`` exists)."""
    if first:
        entries = entries.filter(at__gte=_start_of(first))
    if last:
        entries = entries.filter(at__lt=_start_of(last + timedelta(days=1)))
    return entries


# A cursor is an entry's id; ids are bigints, so anything longer is not one.
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class LogPage:
    """One page of the log, newest first, and the entries its "newer" and "older" links start
    after (None: no such link)."""

    entries: list[AccessLogEntry]
    newer: int | None
    older: int | None
    at_newest: bool


def _cursor(entries: QuerySet[AccessLogEntry], value: str | None) -> AccessLogEntry | None:
    """The entry a cursor names, if it is one of the clinic's (a stale or forged cursor: the
    newest page)."""
    if not value or not value.isdigit() or len(value) > 19 or int(value) > _MAX_ID:
        return None
    return entries.filter(pk=int(value)).only("id", "at").first()


def _after(entries: QuerySet[AccessLogEntry], cursor: AccessLogEntry) -> QuerySet[AccessLogEntry]:
    """Entries newer than the cursor in the page's order (at, id)."""
    return entries.filter(at__gte=cursor.at).exclude(at=cursor.at, id__lte=cursor.pk)


def _before(entries: QuerySet[AccessLogEntry], cursor: AccessLogEntry) -> QuerySet[AccessLogEntry]:
    """Entries older than the cursor in the page's order (at, id)."""
    return entries.filter(at__lte=cursor.at).exclude(at=cursor.at, id__gte=cursor.pk)


def log_page(
    entries: QuerySet[AccessLogEntry],
    *,
    older_than: AccessLogEntry | None = None,
    newer_than: AccessLogEntry | None = None,
    size: int = PAGE_SIZE,
) -> LogPage:
    """Keyset pagination: a page is the ``size`` entries just before (or after) a cursor entry in
    (at, id) order, read from an index that ends in (at, id), so its cost does not grow with the
    log. Nothing is counted; rows written meanwhile land above the newest page and never shift
    the older pages. A "newer" page that reaches the top is the newest page."""
    if newer_than is not None:
        rows = list(_after(entries, newer_than).order_by("at", "id")[: size + 1])
        if len(rows) > size:
            shown = rows[:size][::-1]
            return LogPage(shown, newer=shown[0].pk, older=shown[-1].pk, at_newest=False)
        older_than = None
    if older_than is not None:
        entries = _before(entries, older_than)
    rows = list(entries.order_by("-at", "-id")[: size + 1])
    shown = rows[:size]
    return LogPage(
        shown,
        newer=shown[0].pk if older_than is not None and shown else None,
        older=shown[-1].pk if len(rows) > size else None,
        at_newest=older_than is None,
    )


def filtered_entries(
    clinic_entries: QuerySet[AccessLogEntry], data: dict[str, Any], patient_id: int | None
) -> QuerySet[AccessLogEntry]:
    """The clinic's entries narrowed by the form's filters, each on a column with its own index
    (``audit.0006``)."""
    entries = clinic_entries
    if data.get("user") is not None:
        entries = entries.filter(user_id=data["user"].pk)
    if patient_id is not None:
        entries = entries.filter(patient_id=patient_id)
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("ip"):
        entries = entries.filter(client_ip__startswith=data["ip"])
    return _in_range(entries, data.get("date_from"), data.get("date_to"))


@permission_required(Kind.ACCESS_LOG, Permission.READ)
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's access log, newest first, filterable, a page at a time ("newer" / "older").
    Read-only: the app cannot edit it."""
    clinic_id = clinic_id_of(request)
    clinic_entries = AccessLogEntry.objects.filter(clinic_id=clinic_id)
    filters = request.GET.copy()
    for key in ("older", "newer", "page"):
        filters.pop(key, None)
    form = AccessLogFilterForm(filters or None, clinic_id=clinic_id)
    entries: QuerySet[AccessLogEntry] = clinic_entries.none()
    if not form.is_bound:
        entries = clinic_entries
    elif form.is_valid():
        data = form.cleaned_data
        patient_id = None
        if data["chart_number"]:
            # The log's own reading is not logged per patient (docs/audit.md); the chart
            # number is looked up through the door only to turn it into the indexed id.
            patient_id = (
                patients_of_clinic(request)
                .filter(chart_number=data["chart_number"])
                .values_list("pk", flat=True)
                .first()
            )
            if patient_id is None:
                form.add_error(
                    "chart_number", _("No patient of this clinic has that chart number.")
                )
        if form.is_valid():
            entries = filtered_entries(clinic_entries, data, patient_id)
    page = log_page(
        entries.select_related("patient"),
        older_than=_cursor(clinic_entries, request.GET.get("older")),
        newer_than=_cursor(clinic_entries, request.GET.get("newer")),
    )
    context = {"form": form, "page": page, "query": filters.urlencode()}
    return render(request, "audit/access_log.html", context)


def _previous_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@permission_required(Kind.ACCESS_LOG, Permission.READ)
@require_http_methods(["GET", "POST"])
def monthly_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One month of the clinic's log for the admin's review, and the sign-off."""
    if request.method == "POST":
        sign_form = SignOffForm(request.POST)
        if sign_form.is_valid():
            first = sign_form.cleaned_data["month"]
            sign_off(request.user, first, sign_form.cleaned_data["note"])
            messages.success(
                request, _("The review of %(month)s is signed.") % {"month": f"{first:%Y-%m}"}
            )
            return redirect(f"{reverse('audit:review')}?month={first:%Y-%m}")
        month_form = ReviewMonthForm({"month": request.POST.get("month", "")})
    else:
        month_form = ReviewMonthForm(request.GET or {"month": f"{_previous_month():%Y-%m}"})
        sign_form = None
    first = month_form.cleaned_data["month"] if month_form.is_valid() else None
    if first is not None and sign_form is None:
        sign_form = SignOffForm(initial={"month": f"{first:%Y-%m}"})
    context = {
        "month_form": month_form,
        "sign_form": sign_form,
        "review": review_month(clinic_id_of(request), first) if first else None,
        "month_value": f"{first:%Y-%m}" if first else "",
    }
    return render(request, "audit/review.html", context)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _in_words(entry: AccessLogEntry) -> tuple[str, str]:
    what, detail = describe(entry)
    shown = detail.text if not detail.recorded else _("%(text)s (as recorded)") % {"text": detail}
    return what, shown


def _csv_rows(entries: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte order mark, so spreadsheet programs read the Korean as UTF-8
    yield writer.writerow(
        [
            _("Time"),
            _("User"),
            _("Client IP"),
            _("Chart number"),
            _("Patient"),
            _("Action"),
            _("Object"),
            _("Object id"),
            _("Detail"),
            _("Entry"),
            _("Place in the chain"),
            _("Hash"),
            # The stored values above are the record; these read it in the clinic's words.
            _("Object, in words"),
            _("Detail, in words"),
        ]
    )
    labels = dict(Action.choices)
    tz = timezone.get_current_timezone()
    for e in entries.iterator(chunk_size=2000):
        patient = e.patient
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    f"{e.at.astimezone(tz):%Y-%m-%d %H:%M:%S}",
                    e.username,
                    e.client_ip,
                    patient.chart_number if patient else "",
                    patient.name if patient else "",
                    labels.get(e.action, e.action),
                    e.object_type,
                    e.object_id,
                    e.detail,
                    e.pk,
                    e.seq,
                    e.row_hash,
                    *_in_words(e),
                )
            ]
        )


@permission_required(Kind.ACCESS_LOG, Permission.EXPORT)
@require_http_methods(["GET", "POST"])
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The log as CSV for an inspector: a reason is required and the export is itself logged."""
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            first, last, reason = data["date_from"], data["date_to"], data["reason"]
            log_access(
                request,
                Action.EXPORT,
                patient=None,
                detail=f"access log CSV {first}..{last}; reason: {reason}",
            )
            entries = (
                _in_range(
                    AccessLogEntry.objects.filter(clinic_id=clinic_id_of(request)),
                    first,
                    last,
                )
                .select_related("patient")
                .order_by("seq", "id")
            )
            response = StreamingHttpResponse(
                _csv_rows(entries), content_type="text/csv; charset=utf-8"
            )
            clinic = request.user.clinic
            assert clinic is not None  # permission_required admits only members of a clinic
            name = f"access-log-{clinic.slug}-{first}-{last}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    else:
        initial: dict[str, Any] = {}
        month_form = ReviewMonthForm(request.GET)
        if month_form.is_valid():
            first = month_form.cleaned_data["month"]
            following = (first + timedelta(days=32)).replace(day=1)
            initial = {"date_from": first, "date_to": following - timedelta(days=1)}
        form = ExportForm(initial=initial)
    return render(request, "audit/export.html", {"form": form})
