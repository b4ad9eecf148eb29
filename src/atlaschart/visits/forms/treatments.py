"""The treatment form: technique, listing and settings of the clinic's technique table,
injections with drug, dose, lot and consent, manual therapy by region."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from atlaschart.visits.forms.fields import date_field, field_of
from atlaschart.visits.models import (
    ConsentKind,
    ConsentRecord,
    TreatmentKind,
)
from atlaschart.visits.techniques import (
    MANUAL_THERAPY,
    TECHNIQUES,
    Choice,
    Field,
    Setting,
    plain_number,
)

SIDES: list[tuple[str, StrOrPromise]] = [("", "—"), ("left", _("Left")), ("right", _("Right"))]
INJECTION_SIDES = [*SIDES, ("both", _("Both sides")), ("midline", _("Midline"))]
MANUAL_SIDES = [*SIDES, ("both", _("Both sides"))]
GUIDANCE: list[tuple[str, StrOrPromise]] = [
    ("", "—"),
    ("ultrasound", _("Ultrasound")),
    ("fluoroscopy", _("Fluoroscopy")),
    ("landmark", _("Landmark")),
]
#: Injection fields of the form, in the order the record reads.
INJECTION_FIELDS = (
    "drug",
    "concentration_mg_per_ml",
    "dose_mg",
    "volume_ml",
    "site",
    "injection_side",
    "guidance",
    "lot_number",
    "expiry_date",
    "given_at",
    "consent",
    "physician",
    "complications",
)
#: Allowed gap between the dose and concentration x volume: rounding of a 2-decimal volume.
DOSE_TOLERANCE = Decimal("0.01")


def setting_field_name(code: str, key: str) -> str:
    """Each technique's fields have their own names, so one page can hold every technique's
    fieldset and only the chosen one is read."""
    return f"{code}__{key}"


def _setting_form_field(spec: Field) -> forms.Field:
    if isinstance(spec, Choice):
        return forms.ChoiceField(
            label=spec.label, required=False, choices=[("", "—"), *spec.options]
        )
    return forms.DecimalField(
        label=spec.label,
        required=False,
        max_digits=8,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": spec.step or "any", "inputmode": "decimal"}),
    )


def _check_setting(spec: Setting, value: Decimal) -> str | None:
    """The refusal message for a value outside the technique's range or step, else None."""
    unit = spec.unit or ""
    if not Decimal(str(spec.lo)) <= value <= Decimal(str(spec.hi)):
        return _("Enter a value from %(lo)s to %(hi)s%(unit)s.") % {
            "lo": spec.lo,
            "hi": spec.hi,
            "unit": f" {unit}" if unit and unit != "°" else unit,
        }
    if spec.step and value % Decimal(str(spec.step)) != 0:
        return _("Enter the value in steps of %(step)s%(unit)s.") % {
            "step": spec.step,
            "unit": f" {unit}" if unit and unit != "°" else unit,
        }
    return None


class ConsentChoiceField(forms.ModelChoiceField[ConsentRecord]):
    """The patient's consents to the injection, each named by its kind and the day given."""

    def label_from_instance(self, obj: ConsentRecord) -> str:
        return _("%(kind)s, given %(day)s") % {
            "kind": obj.get_kind_display(),
            "day": obj.given_on.isoformat(),
        }


class TreatmentForm(forms.Form):
    """One treatment: the technique's own fields (structured, each with its unit), or an
    injection's drug record. The page shows only the chosen technique's fields (a small script);
    without the script every fieldset shows and only the chosen one is read."""

    kind = forms.ChoiceField(label=_("Kind"), choices=TreatmentKind.choices)
    technique = forms.ChoiceField(
        label=_("Technique"),
        required=False,
        choices=[
            ("", "—"),
            (_("Upper cervical"), [(k, t.label) for k, t in TECHNIQUES.items()]),
            (_("Other manual therapy"), [(k, t.label) for k, t in MANUAL_THERAPY.items()]),
        ],
    )
    listing = forms.CharField(
        label=_("Listing"),
        max_length=40,
        required=False,
        help_text=_("As written by the technique, e.g. ASRp (Knee-Chest) or the film analysis."),
    )
    contact_side = forms.ChoiceField(label=_("Contact side"), choices=SIDES, required=False)
    manual_side = forms.ChoiceField(label=_("Side treated"), choices=MANUAL_SIDES, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    drug = forms.CharField(label=_("Drug"), max_length=120, required=False)
    concentration_mg_per_ml = forms.DecimalField(
        label=_("Concentration (mg/mL)"),
        min_value=0,
        max_value=10000,
        decimal_places=3,
        required=False,
        help_text=_("e.g. lidocaine 1% = 10 mg/mL"),
    )
    dose_mg = forms.DecimalField(
        label=_("Dose (mg)"), min_value=0, max_value=100000, decimal_places=2, required=False
    )
    volume_ml = forms.DecimalField(
        label=_("Volume (mL)"), min_value=0, max_value=1000, decimal_places=2, required=False
    )
    site = forms.CharField(label=_("Site"), max_length=120, required=False)
    injection_side = forms.ChoiceField(
        label=_("Side injected"), choices=INJECTION_SIDES, required=False
    )
    guidance = forms.ChoiceField(label=_("Guidance"), choices=GUIDANCE, required=False)
    lot_number = forms.CharField(label=_("Lot number"), max_length=40, required=False)
    expiry_date = date_field(_("Expiry date"), required=False)
    given_at = forms.TimeField(
        label=_("Time given"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    consent = ConsentChoiceField(
        label=_("Consent to the injection"),
        queryset=ConsentRecord.objects.none(),
        required=False,
        empty_label="—",
    )
    physician = forms.CharField(label=_("Physician"), max_length=120, required=False)
    complications = forms.CharField(
        label=_("Complications"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, consents: Any = None, visit_date: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.visit_date = visit_date
        if consents is not None:
            field_of(self.fields, "consent", ConsentChoiceField).queryset = consents
        for code, technique in {**TECHNIQUES, **MANUAL_THERAPY}.items():
            for key, spec in technique.settings.items():
                self.fields[setting_field_name(code, key)] = _setting_form_field(spec)

    # The template draws one fieldset per technique from these.
    def technique_fieldsets(self) -> list[tuple[str, Any, list[Any]]]:
        out = []
        for code, technique in {**TECHNIQUES, **MANUAL_THERAPY}.items():
            names = [setting_field_name(code, key) for key in technique.settings]
            out.append((code, technique.label, [self[n] for n in names]))
        return out

    def injection_fields(self) -> list[Any]:
        return [self[n] for n in INJECTION_FIELDS]

    def _clean_settings(self, code: str) -> dict[str, Any]:
        technique = TECHNIQUES.get(code) or MANUAL_THERAPY.get(code)
        values: dict[str, Any] = {}
        for key, spec in (technique.settings if technique else {}).items():
            name = setting_field_name(code, key)
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                if isinstance(spec, Choice) and spec.required:
                    self.add_error(name, _("Choose one."))
                continue
            if isinstance(spec, Setting):
                problem = _check_setting(spec, value)
                if problem:
                    self.add_error(name, problem)
                    continue
                values[key] = float(value)
            else:
                values[key] = value
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, technique = data.get("kind"), data.get("technique") or ""
        if kind == TreatmentKind.UC_ADJUSTMENT:
            if technique not in TECHNIQUES:
                self.add_error("technique", _("Choose an upper cervical technique."))
            elif not data.get("contact_side"):
                self.add_error("contact_side", _("Give the side of the contact."))
        if kind == TreatmentKind.MANUAL_THERAPY:
            if technique not in MANUAL_THERAPY:
                self.add_error("technique", _("Choose a manual therapy technique."))
            data["contact_side"] = data.get("manual_side") or ""
            data["listing"] = ""
        if kind == TreatmentKind.INJECTION:
            self._clean_injection(data)
            data["technique"] = ""
            data["listing"] = ""
            data["contact_side"] = data.get("injection_side") or ""
            data["technique_settings"] = {}
        else:
            data["technique_settings"] = self._clean_settings(technique)
        return data

    def _clean_injection(self, data: dict[str, Any]) -> None:
        required = ("drug", "site", "injection_side", "guidance", "lot_number", "expiry_date")
        for name in (*required, "given_at", "consent", "physician"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Required for an injection or nerve block."))
        dose, volume = data.get("dose_mg"), data.get("volume_ml")
        concentration = data.get("concentration_mg_per_ml")
        if dose is None and volume is None:
            self.add_error("dose_mg", _("Give the dose, the volume, or both."))
        if dose is not None and volume is not None and concentration is not None:
            expected = concentration * volume
            if abs(expected - dose) > DOSE_TOLERANCE * max(expected, Decimal(1)):
                self.add_error(
                    "dose_mg",
                    _(
                        "The dose does not match the concentration and volume: "
                        "%(concentration)s mg/mL × %(volume)s mL = %(expected)s mg."
                    )
                    % {
                        "concentration": plain_number(concentration),
                        "volume": plain_number(volume),
                        "expected": plain_number(expected.quantize(Decimal("0.01"))),
                    },
                )
        expiry = data.get("expiry_date")
        if expiry and self.visit_date and expiry < self.visit_date:
            self.add_error(
                "expiry_date",
                _("This lot expired on %(day)s, before the visit. Do not give it.")
                % {"day": expiry.isoformat()},
            )
        consent = data.get("consent")
        if consent is not None and consent.kind != ConsentKind.INJECTION:
            self.add_error("consent", _("Choose a consent to an injection."))

    def treatment_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            k: d.get(k)
            for k in (
                "kind",
                "technique",
                "listing",
                "contact_side",
                "technique_settings",
                "description",
            )
        }
        data = {k: ("" if v is None and k != "technique_settings" else v) for k, v in data.items()}
        if d.get("kind") == TreatmentKind.INJECTION:
            for k in (
                "drug",
                "concentration_mg_per_ml",
                "dose_mg",
                "volume_ml",
                "site",
                "guidance",
                "lot_number",
                "expiry_date",
                "consent",
                "physician",
                "complications",
            ):
                data[k] = d.get(k)
                if data[k] is None and k in ("drug", "site", "guidance", "lot_number"):
                    data[k] = ""
            data["given_at"] = d.get("given_at")
        return data
