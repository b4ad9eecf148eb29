from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atlaschart.audit.models import Action


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    chart_number = forms.CharField(label=_("Chart number"), required=False, max_length=20)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ip = forms.CharField(label=_("Client IP"), required=False, max_length=45)
