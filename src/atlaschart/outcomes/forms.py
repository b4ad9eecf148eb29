"""The outcomes filter form (GET): every field optional, every choice from a closed list."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from atlaschart.accounts.models import User
from atlaschart.intake.names import instrument_name
from atlaschart.intake.steps import REGIONS
from atlaschart.outcomes.services import Filters, outcome_instruments
from atlaschart.visits.forms import clinicians_of
from atlaschart.visits.techniques import MANUAL_THERAPY, TECHNIQUES, technique_label


class OutcomesFilterForm(forms.Form):
    date_from = forms.DateField(label=_("Baseline from"), required=False)
    date_to = forms.DateField(label=_("Until"), required=False)
    instrument = forms.ChoiceField(label=_("Questionnaire"), required=False)
    region = forms.ChoiceField(label=_("Complaint region"), required=False)
    clinician = forms.ModelChoiceField(
        label=_("Clinician"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    technique = forms.ChoiceField(label=_("Technique"), required=False)

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        cast(forms.ChoiceField, self.fields["instrument"]).choices = everything + [
            (key, instrument_name(key)) for key in outcome_instruments()
        ]
        cast(forms.ChoiceField, self.fields["region"]).choices = everything + list(REGIONS)
        cast(forms.ChoiceField, self.fields["technique"]).choices = everything + [
            (code, technique_label(code)) for code in [*TECHNIQUES, *MANUAL_THERAPY]
        ]
        clinician = cast("forms.ModelChoiceField[User]", self.fields["clinician"])
        clinician.queryset = clinicians_of(clinic_id)
        self.fields["date_from"].widget.input_type = "date"
        self.fields["date_to"].widget.input_type = "date"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        clinician = data.get("clinician")
        return Filters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            instrument=data.get("instrument") or None,
            region=data.get("region") or None,
            clinician_id=None if clinician is None else clinician.pk,
            technique=data.get("technique") or None,
        )
