"""The clinic's listing rule tables (clinic admins): upload, list, activate, deactivate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.imaging_studies import labels, services
from atlaschart.imaging_studies.access import get_listing_table_for_user, listing_tables_of_clinic
from atlaschart.imaging_studies.forms import ListingTableForm, vector_text
from atlaschart.imaging_studies.models import ListingTable
from atlaschart.imaging_studies.views._common import SETTINGS_READ, SETTINGS_WRITE
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, require
from atlaschart.lib.presenting import RecordOnPage
from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL
from atlaschart.measure.radiograph.listing import Condition, Rule


def _condition_text(c: Condition, unit: str) -> str:
    lo, hi = c.min_value, c.max_value
    name = labels.value_label(c.value_name)
    symbol = labels.UNIT_SYMBOLS.get(unit, f" {unit}" if unit else "")
    if lo is not None and hi is not None:
        text = f"{lo:g}{symbol} ≤ {name} ≤ {hi:g}{symbol}"
    elif lo is not None:
        text = f"{name} ≥ {lo:g}{symbol}"
    elif hi is not None:
        text = f"{name} ≤ {hi:g}{symbol}"
    else:
        text = _("%(name)s: any value") % {"name": name}
    if c.side is None:
        text += ", " + _("no side")
    elif c.side == "left":
        text += ", " + _("side left")
    elif c.side == "right":
        text += ", " + _("side right")
    return text


@dataclass(frozen=True)
class TableOnPage(RecordOnPage):
    """A listing table as the tables page shows it: the row (with its ``n_analyses`` count), its
    rules in words and its view's name. The template reads the row's own fields through it."""

    table: ListingTable
    rules: list[dict[str, Any]]
    view_label: str

    record_field = "table"


def _rules(row: ListingTable) -> list[dict[str, Any]]:
    spec = GENERIC_ORTHOGONAL.view(row.view)
    units = {c.name: c.unit for c in spec.constructs}
    out = []
    rule: Rule
    for i, rule in enumerate(row.rule_table().rules):
        out.append(
            {
                "n": i,
                "conditions": [
                    _condition_text(c, units.get(c.value_name, "")) for c in rule.conditions
                ],
                "listing": rule.listing,
                "vector": vector_text(rule.vector),
            }
        )
    return out


@SETTINGS_READ
def listing_tables(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload, list, activate and deactivate the clinic's listing rule tables."""
    clinic_id = request.user.clinic_id
    assert clinic_id is not None  # the permission check admits members of a clinic only
    form = ListingTableForm(request.POST or None, request.FILES or None, clinic_id=clinic_id)
    if request.method == "POST":
        require(request.user, Kind.CLINIC_SETTINGS, Permission.WRITE)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.store_listing_table(
                Actor.of(request),
                form.cleaned_data["data"],
                form.cleaned_data["table"],
                activate=form.cleaned_data["activate"],
            )
        except services.ListingTableConflict:
            form.add_error(None, _("Another change was saved at the same moment. Try again."))
        else:
            if row.is_active:
                msg = _("The table %(label)s was stored and is now active for the %(view)s view.")
            else:
                msg = _("The table %(label)s was stored (not active).")
            messages.success(request, msg % {"label": row.label, "view": row.view})
            return redirect("imaging_studies:listing_tables")
    tables = [
        TableOnPage(table=row, rules=_rules(row), view_label=labels.view_label(row.view))
        for row in listing_tables_of_clinic(request)
        .select_related("uploaded_by")
        .annotate(n_analyses=Count("analyses"))
    ]
    active = {row.table.view: row for row in tables if row.table.is_active}
    views = [
        {"name": v.name, "label": labels.view_label(v.name), "active": active.get(v.name)}
        for v in GENERIC_ORTHOGONAL.views
    ]
    return render(
        request,
        "imaging_studies/listing_tables.html",
        {
            "form": form,
            "views": views,
            "tables": tables,
            # A table is written in the core's value names: list them with their words.
            "value_names": [
                {"name": c.name, "label": labels.value_label(c.name)}
                for v in GENERIC_ORTHOGONAL.views
                for c in v.constructs
            ],
        },
        status=400 if form.errors else 200,
    )


@require_POST
@SETTINGS_WRITE
def listing_table_active(request: AuthenticatedHttpRequest, table_pk: int) -> HttpResponse:
    # Unlogged read: the service writes the activation or deactivation row itself.
    row = get_listing_table_for_user(request, table_pk, log=False)
    active = request.POST.get("active") == "1"
    try:
        services.set_listing_table_active(Actor.of(request), row, active)
    except services.ListingTableConflict:
        messages.error(request, _("Another change was saved at the same moment. Try again."))
    else:
        if active:
            messages.success(
                request,
                _("%(label)s is now the active table for the %(view)s view.")
                % {"label": row.label, "view": row.view},
            )
        else:
            messages.success(
                request,
                _(
                    "%(label)s was deactivated: clinicians enter listings of the %(view)s view "
                    "themselves until a table is active."
                )
                % {"label": row.label, "view": row.view},
            )
    return redirect("imaging_studies:listing_tables")
