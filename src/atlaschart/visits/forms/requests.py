"""The public consultation form (with its time token against bots) and its conversion into
a patient and an appointment."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.visits.forms.fields import date_field
from atlaschart.visits.forms.schedule import AppointmentForm

MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 2 * 60 * 60
_SALT = "atlaschart.visits.consultation"


def form_token() -> str:
    """A signed timestamp; the form must come back MIN_FILL_SECONDS later at the earliest."""
    return signing.dumps(time.time(), salt=_SALT)


class ConsultationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    contact = forms.CharField(label=_("Phone or email"), max_length=120)
    preferred_time = forms.CharField(label=_("Preferred time"), max_length=120, required=False)
    complaint = forms.CharField(
        label=_("What would you like help with?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Honeypot: hidden from people by CSS; a bot filling every field gives itself away.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, token: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = token

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise ValidationError(_("The request could not be sent."), code="spam")
        try:
            started = float(signing.loads(self.token, salt=_SALT, max_age=MAX_FORM_AGE_SECONDS))
        except (signing.BadSignature, TypeError, ValueError):
            raise ValidationError(
                _("The form has expired. Please send it again."), code="expired"
            ) from None
        if time.time() - started < MIN_FILL_SECONDS:
            raise ValidationError(
                _("That was very fast. Please check your request and send it again."), code="fast"
            )
        return data

    def request_data(self) -> dict[str, str]:
        return {k: self.cleaned_data[k] for k in ("name", "contact", "preferred_time", "complaint")}


class ConvertForm(AppointmentForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    date_of_birth = date_field(_("Date of birth"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def clean_date_of_birth(self) -> Any:
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        return dob
