from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
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
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required

PAGE_SIZE = 100


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _in_range(entries: Any, first: date | None, last: date | None) -> Any:
    """Entries from the start of ``first`` to the end of ``last`` (the forms keep both within
    the years the log can hold, so the day after ``last`` exists)."""
    if first:
        entries = entries.filter(at__gte=_start_of(first))
    if last:
        entries = entries.filter(at__lt=_start_of(last + timedelta(days=1)))
    return entries


@permission_required(Kind.ACCESS_LOG, Permission.READ)
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's access log, newest first, filterable. Read-only: the app cannot edit it."""
    entries = AccessLogEntry.objects.filter(clinic_id=request.user.clinic_id).select_related(
        "patient", "user"
    )
    form = AccessLogFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            entries = entries.filter(username__icontains=data["username"])
        if data["chart_number"]:
            entries = entries.filter(patient__chart_number=data["chart_number"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["ip"]:
            entries = entries.filter(client_ip__startswith=data["ip"])
        entries = _in_range(entries, data["date_from"], data["date_to"])
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/access_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


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
        "review": review_month(request.user.clinic_id, first) if first else None,
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
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
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
                    AccessLogEntry.objects.filter(clinic_id=request.user.clinic_id),
                    first,
                    last,
                )
                .select_related("patient")
                .order_by("seq", "id")
            )
            response = StreamingHttpResponse(
                _csv_rows(entries), content_type="text/csv; charset=utf-8"
            )
            name = f"access-log-{request.user.clinic.slug}-{first}-{last}.csv"
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
