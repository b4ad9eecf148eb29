from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from atlaschart.audit.models import Action

# The log cannot hold entries outside these years; bounding the inputs keeps date arithmetic
# (the day after ``date_to``, a time zone shift of 0001-01-01) from overflowing.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
# What an address's beginning may hold (IPv4 and IPv6): a prefix match then never sees a LIKE
# wildcard (% or _) typed in, and the index range it reads is the one the user meant.
_IP_PREFIX = re.compile(r"[0-9A-Fa-f.:]{1,45}")


def _within_years(value: date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def _date_field(label: StrOrPromise, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        validators=[_within_years],
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}
        ),
    )


def parse_month(text: str) -> date:
    """``2026-11`` -> 2026-11-01; a month that has begun, within the log's years."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        first = date(year, month, 1)
    except (ValueError, OverflowError):
        raise ValidationError(_("Enter a month as YYYY-MM."), code="invalid") from None
    _within_years(first)
    if first > timezone.localdate().replace(day=1):
        raise ValidationError(_("That month has not begun yet."), code="future")
    return first


class _DateRangeForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."), code="reversed")
        return data


class _UserChoice(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        shown = str(obj)
        return shown if shown == obj.username else f"{shown} ({obj.username})"


class AccessLogFilterForm(_DateRangeForm):
    """The access log page's filters. Each one is a column with an index of its own (migration
    ``audit.0006``): the user by id (one of the clinic's users, never a name typed in), the
    action, the date range, the patient by chart number, the address by its beginning."""

    user = _UserChoice(label=_("User"), required=False, queryset=None, empty_label=_("Any user"))
    chart_number = forms.CharField(label=_("Chart number"), required=False, max_length=20)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    ip = forms.CharField(
        label=_("Client IP"),
        required=False,
        max_length=45,
        # The address or its beginning: a placeholder, so the field lines up with the others.
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 192.0.2.")}),
    )

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        users = get_user_model()._default_manager.filter(clinic_id=clinic_id)
        cast(_UserChoice, self.fields["user"]).queryset = users.order_by("username")

    def clean_ip(self) -> str:
        ip: str = self.cleaned_data["ip"].strip()
        if ip and not _IP_PREFIX.fullmatch(ip):
            raise ValidationError(
                _("Enter an address or its beginning: digits, dots, colons (IPv6) only."),
                code="invalid",
            )
        return ip


class ReviewMonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "min": "2000-01", "max": "2099-12"}),
    )

    def clean_month(self) -> date:
        return parse_month(self.cleaned_data["month"])


class SignOffForm(forms.Form):
    month = forms.CharField(widget=forms.HiddenInput, max_length=7)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you checked, and anything you followed up."),
    )

    def clean_month(self) -> date:
        return parse_month(self.cleaned_data["month"])


class ExportForm(_DateRangeForm):
    date_from = _date_field(_("From"), required=True)
    date_to = _date_field(_("To"), required=True)
    reason = forms.CharField(
        label=_("Reason for the export"),
        min_length=5,
        max_length=200,
        help_text=_("For example: the inspection of 3 December by the regional health office."),
    )
