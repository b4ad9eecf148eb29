"""Booking forms: one appointment, or a care plan's visits in a series."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atlaschart.accounts.models import User
from atlaschart.visits.forms.fields import clinicians_of, datetime_field, field_of, minutes_field
from atlaschart.visits.models import (
    DEFAULT_MINUTES,
    AppointmentKind,
)


class AppointmentForm(forms.Form):
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=AppointmentKind.choices,
        initial=AppointmentKind.ADJUSTMENT,
        required=False,
    )
    starts_at = datetime_field(_("Starts at"))
    minutes = minutes_field()
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    # Shown checked only after a warning (holiday, outside opening hours): booking then is a
    # deliberate choice, not a slip.
    confirm = forms.BooleanField(label=_("Book anyway"), required=False)

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "clinician", forms.ModelChoiceField).queryset = clinicians_of(
            clinic_id
        )
        self.fields["minutes"] = minutes_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["kind"] = data.get("kind") or AppointmentKind.ADJUSTMENT
        if data.get("minutes") is None and data.get("kind") in DEFAULT_MINUTES:
            data["minutes"] = DEFAULT_MINUTES[AppointmentKind(data["kind"])]
        return data


class RecurringForm(forms.Form):
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    first_start = datetime_field(_("First visit"))
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=5,
        max_value=480,
        initial=DEFAULT_MINUTES[AppointmentKind.ADJUSTMENT],
    )
    confirm = forms.BooleanField(label=_("Book anyway"), required=False)

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "clinician", forms.ModelChoiceField).queryset = clinicians_of(
            clinic_id
        )
