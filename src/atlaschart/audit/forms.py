from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.audit.models import Action

# The log cannot hold entries outside these years; bounding the inputs keeps date arithmetic
# (the day after ``date_to``, a time zone shift of 0001-01-01) from overflowing.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def _within_years(value: date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def _date_field(label: str, *, required: bool = False) -> forms.DateField:
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
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."), code="reversed")
        return data


class AccessLogFilterForm(_DateRangeForm):
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    chart_number = forms.CharField(label=_("Chart number"), required=False, max_length=20)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    ip = forms.CharField(label=_("Client IP"), required=False, max_length=45)


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
