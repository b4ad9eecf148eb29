from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Who uses it, as the access log will name it, e.g. the partner hospital."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the partner reads the records for, and under which agreement."),
    )

    def clean_name(self) -> str:
        name: str = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean_purpose(self) -> str:
        purpose: str = self.cleaned_data["purpose"].strip()
        if not purpose:
            raise forms.ValidationError(_("Say what the token is for."))
        return purpose


class RevokeForm(forms.Form):
    token = forms.IntegerField(min_value=1, max_value=2**62)
