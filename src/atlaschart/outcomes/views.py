"""Clinic outcomes: the page and its CSV export (small cells shown as "<5")."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.intake.names import instrument_name
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest, clinic_id_of
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.measure.instruments.stats import Proportion
from atlaschart.outcomes.forms import OutcomesFilterForm
from atlaschart.outcomes.services import Filters, Outcomes, clinic_outcomes, small_cell


def _outcomes(request: AuthenticatedHttpRequest) -> tuple[OutcomesFilterForm, Outcomes | None]:
    form = OutcomesFilterForm(request.GET or None, clinic_id=clinic_id_of(request))
    if request.GET and not form.is_valid():
        return form, None
    filters = form.filters() if request.GET else Filters()
    return form, clinic_outcomes(Actor.of(request), filters)


@permission_required(Kind.OUTCOMES, Permission.READ)
def clinic_outcomes_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, outcomes = _outcomes(request)
    rows = []
    if outcomes is not None:
        for key, value in outcomes.instruments.items():
            rows.append({"name": instrument_name(key), "o": value})
    return render(
        request,
        "outcomes/clinic.html",
        {"form": form, "outcomes": outcomes, "rows": rows, "query": request.GET.urlencode()},
    )


def _percent(value: Proportion | None) -> str:
    if value is None or value.rate is None:
        return ""
    return f"{value.rate * 100:.1f}"


def _interval(value: Proportion | None) -> str:
    if value is None or value.ci95 is None:
        return ""
    return f"{value.ci95[0] * 100:.1f}–{value.ci95[1] * 100:.1f}"


def _suppressed(value: Proportion | None, text: str) -> str:
    # A rate over, or of, fewer than 5 patients would give the small count back.
    if value is None:
        return ""
    if 0 < value.n < 5 or 0 < value.total < 5:
        return "<5"
    return text


@permission_required(Kind.OUTCOMES, Permission.EXPORT)
def export_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, outcomes = _outcomes(request)
    if outcomes is None:
        return render(request, "outcomes/clinic.html", {"form": form, "outcomes": None}, status=400)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read the Korean as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Questionnaire"),
            _("Patients with a baseline"),
            _("With a follow-up"),
            _("Lost to follow-up"),
            _("Responders by MCID"),
            _("Rate by MCID (%)"),
            _("Wilson 95% interval by MCID (%)"),
            _("Responders by MDC"),
            _("Rate by MDC (%)"),
            _("Wilson 95% interval by MDC (%)"),
            _("Median change (points)"),
            _("Interquartile range (points)"),
        ]
    )
    for key, o in outcomes.instruments.items():
        spread_hidden = 0 < o.followup_n < 5
        iqr = "" if o.spread.iqr is None else f"{o.spread.iqr[0]:g} to {o.spread.iqr[1]:g}"
        writer.writerow(
            [
                instrument_name(key),
                small_cell(o.baseline_n),
                small_cell(o.followup_n),
                small_cell(o.lost_n),
                _suppressed(
                    o.responders_mcid,
                    small_cell(o.responders_mcid.n if o.responders_mcid else None),
                ),
                _suppressed(o.responders_mcid, _percent(o.responders_mcid)),
                _suppressed(o.responders_mcid, _interval(o.responders_mcid)),
                _suppressed(
                    o.responders_mdc, small_cell(o.responders_mdc.n if o.responders_mdc else None)
                ),
                _suppressed(o.responders_mdc, _percent(o.responders_mdc)),
                _suppressed(o.responders_mdc, _interval(o.responders_mdc)),
                "<5"
                if spread_hidden
                else ("" if o.spread.median is None else f"{o.spread.median:g}"),
                "<5" if spread_hidden else iqr,
            ]
        )
    log_access(request, Action.EXPORT, patient=None, detail="clinic outcomes CSV")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
    return response
