from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.patients.models import Patient, digits_only


class PatientForm(forms.ModelForm[Patient]):
    class Meta:
        model = Patient
        fields = [
            "name",
            "name_latin",
            "date_of_birth",
            "sex",
            "chart_number",
            "phone",
            "email",
            "address",
            "preferred_language",
            "no_followup_messages",
            "notes",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "name": _("As the patient writes it, family name first (e.g. Kim Minjun)."),
            "chart_number": _("Leave empty to use the clinic's next number."),
        }

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id
        self.fields["chart_number"].required = False
        cast(forms.DateField, self.fields["date_of_birth"]).input_formats = [
            "%Y-%m-%d",
            "%Y.%m.%d",
            "%Y/%m/%d",
            "%Y%m%d",
        ]

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise ValidationError(_("Enter the patient's name."), code="required")
        return name

    def clean_date_of_birth(self) -> date:
        dob: date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise ValidationError(_("The date of birth cannot be in the future."), code="future")
        if dob.year < today.year - 130:
            raise ValidationError(
                _("Check the year of birth: it is more than 130 years ago."), code="too_old"
            )
        return dob

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not 7 <= len(digits_only(phone)) <= 15:
            raise ValidationError(_("A phone number has 7 to 15 digits."), code="phone")
        return phone

    def clean_chart_number(self) -> str:
        number = str(self.cleaned_data.get("chart_number") or "").strip()
        if not number:
            return ""
        taken = Patient.objects.filter(clinic_id=self.clinic_id, chart_number=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another patient already has this chart number."), code="taken")
        return number


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    archived = forms.BooleanField(label=_("Include archived patients"), required=False)
