from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.accounts.models import Role, User
from atlaschart.visits.models import (
    DEFAULT_MINUTES,
    FIRST_YEAR,
    LAST_YEAR,
    AppointmentKind,
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

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def within_years(value: date) -> None:
    """Refuse dates (and times) outside FIRST_YEAR..LAST_YEAR before any arithmetic on them:
    9999-12-31T23:59 plus a slot length, or 0001-01-01 in UTC, overflows Python's datetime."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        validators=[within_years],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        validators=[within_years],
        widget=forms.DateInput(attrs={"type": "date"}),
        **kwargs,
    )


def clinicians_of(clinic_id: int) -> Any:
    return User.objects.filter(
        clinic_id=clinic_id, is_active=True, role__in=[Role.CLINICIAN, Role.CLINIC_ADMIN]
    )


def _minutes_field() -> forms.IntegerField:
    usual = ", ".join(
        f"{AppointmentKind(kind).label} {minutes}" for kind, minutes in DEFAULT_MINUTES.items()
    )
    return forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=5,
        max_value=480,
        required=False,
        help_text=_("Empty: the usual length of the type (%(usual)s minutes).") % {"usual": usual},
    )


class AppointmentForm(forms.Form):
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=AppointmentKind.choices,
        initial=AppointmentKind.ADJUSTMENT,
        required=False,
    )
    starts_at = _datetime_field(_("Starts at"))
    minutes = _minutes_field()
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    # Shown checked only after a warning (holiday, outside opening hours): booking then is a
    # deliberate choice, not a slip.
    confirm = forms.BooleanField(label=_("Book anyway"), required=False)

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians_of(clinic_id)  # type: ignore[attr-defined]
        self.fields["minutes"] = _minutes_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["kind"] = data.get("kind") or AppointmentKind.ADJUSTMENT
        if data.get("minutes") is None and data.get("kind") in DEFAULT_MINUTES:
            data["minutes"] = DEFAULT_MINUTES[AppointmentKind(data["kind"])]
        return data


class RecurringForm(forms.Form):
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    first_start = _datetime_field(_("First visit"))
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=5,
        max_value=480,
        initial=DEFAULT_MINUTES[AppointmentKind.ADJUSTMENT],
    )
    confirm = forms.BooleanField(label=_("Book anyway"), required=False)

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians_of(clinic_id)  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    # The version the author started from (the draft's, or the signed note's text version).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    subjective = forms.CharField(
        label=_("Subjective"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    objective = forms.CharField(
        label=_("Objective"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    assessment = forms.CharField(
        label=_("Assessment"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan = forms.CharField(
        label=_("Plan"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AmendmentForm(NoteForm):
    """The full new text of a signed note; ``version`` is ``services.note_version`` as the author
    saw it, so an amendment made meanwhile by someone else is not silently replaced."""

    reason = forms.CharField(label=_("Reason for the amendment"), max_length=300)


SIDES = [("", "—"), ("left", _("Left")), ("right", _("Right"))]
INJECTION_SIDES = [*SIDES, ("both", _("Both sides")), ("midline", _("Midline"))]
MANUAL_SIDES = [*SIDES, ("both", _("Both sides"))]
GUIDANCE = [
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
    expiry_date = _date_field(_("Expiry date"), required=False)
    given_at = forms.TimeField(
        label=_("Time given"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    consent = forms.ModelChoiceField(
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
            self.fields["consent"].queryset = consents  # type: ignore[attr-defined]
        self.fields["consent"].label_from_instance = lambda c: (
            _(  # type: ignore[attr-defined]
                "%(kind)s, given %(day)s"
            )
            % {"kind": c.get_kind_display(), "day": c.given_on.isoformat()}
        )
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
        if None not in (dose, volume, concentration):
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


class FollowupForm(forms.Form):
    description = forms.CharField(label=_("Complaint"), max_length=200)
    is_new = forms.TypedChoiceField(
        label=_("Was it there before the treatment?"),
        coerce=lambda v: v == "new",
        choices=[("new", _("No, it is new")), ("worse", _("Yes, it got worse"))],
    )
    severity_0_10 = forms.IntegerField(
        label=_("Worst severity since the treatment (0–10)"), min_value=0, max_value=10
    )
    baseline_severity_0_10 = forms.IntegerField(
        label=_("Severity before the treatment (0–10)"), min_value=0, max_value=10, required=False
    )
    # Upper bounds: a follow-up asks about the days since the last visit, not years.
    onset_h = forms.FloatField(
        label=_("Began how many hours after the treatment?"), min_value=0, max_value=10000
    )
    duration_h = forms.FloatField(
        label=_("Lasted how many hours (empty if ongoing)?"),
        min_value=0,
        max_value=10000,
        required=False,
    )
    serious_criteria = forms.MultipleChoiceField(
        label=_("Serious"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("death", _("Death")),
            ("life_threatening", _("Life-threatening")),
            ("hospitalisation", _("Hospital admission or emergency care")),
            ("persistent_disability", _("Persistent disability")),
            ("new_neurological_deficit", _("New neurological deficit (e.g. stroke signs)")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        from atlaschart.exams.messages import as_validation_error
        from atlaschart.measure.exam import ExamValidationError
        from atlaschart.measure.exam.adverse_event import PostTreatmentComplaint, SeriousCriterion

        data = super().clean() or {}
        if self.errors:
            return data
        try:
            PostTreatmentComplaint(
                data["description"],
                data["is_new"],
                data["severity_0_10"],
                data["onset_h"],
                data.get("baseline_severity_0_10"),
                data.get("duration_h"),
                tuple(SeriousCriterion(c) for c in data.get("serious_criteria", ())),
            )
        except ExamValidationError as err:
            name = err.field if err.field in self.fields else None
            label = str(self.fields[name].label) if name else None
            self.add_error(name, as_validation_error(err, label))
        return data


class CarePlanForm(forms.Form):
    start_date = _date_field(_("Start date"))
    interval_days = forms.IntegerField(
        label=_("Visit every (days)"), min_value=1, max_value=90, initial=7
    )
    planned_visits = forms.IntegerField(
        label=_("Planned visits"), min_value=1, max_value=60, initial=6
    )
    reexam_dates = forms.CharField(
        label=_("Re-examination dates"),
        required=False,
        help_text=_("Dates as YYYY-MM-DD, separated by commas."),
    )
    reassess_after_visits = forms.CharField(
        label=_("Re-assess after visit"),
        required=False,
        help_text=_("Visit numbers, separated by commas (e.g. 6, 12)."),
    )
    reassess_weeks = forms.CharField(
        label=_("Re-assess at week"),
        required=False,
        help_text=_("Weeks after the start, separated by commas (e.g. 4, 8)."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def _whole_numbers(self, name: str, largest: int) -> list[int]:
        out = set()
        for part in (self.cleaned_data.get(name) or "").split(","):
            text = part.strip()
            if not text:
                continue
            if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= largest:
                raise ValidationError(
                    _("“%(value)s” is not a whole number from 1 to %(largest)s."),
                    params={"value": text[:40], "largest": largest},
                )
            out.add(int(text))
        return sorted(out)

    def clean_reassess_after_visits(self) -> list[int]:
        return self._whole_numbers("reassess_after_visits", 60)

    def clean_reassess_weeks(self) -> list[int]:
        return self._whole_numbers("reassess_weeks", 104)

    def clean_reexam_dates(self) -> list[str]:
        out = []
        for part in (self.cleaned_data.get("reexam_dates") or "").split(","):
            if not part.strip():
                continue
            try:
                day = date.fromisoformat(part.strip())
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a date (YYYY-MM-DD)."),
                    params={"value": part.strip()[:40]},
                ) from None
            within_years(day)
            out.append(day.isoformat())
        return sorted(out)


def instrument_label(instrument_id: str) -> str:
    """An instrument as a clinician in Korea writes it: its name, then the abbreviation."""
    from atlaschart.measure.instruments.catalogue import INSTRUMENTS

    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None:
        return instrument_id and str(_("another measure"))
    name, abbreviation = INSTRUMENT_NAMES.get(instrument_id, (instrument.name, ""))
    return f"{name}({abbreviation})" if abbreviation else str(name)


#: Instrument names as a clinician writes them (the catalogue holds the English names), with
#: the abbreviation clinics use.
INSTRUMENT_NAMES = {
    "nprs": (_("Numeric Pain Rating Scale"), "NPRS"),
    "psfs": (_("Patient-Specific Functional Scale"), "PSFS"),
    "groc": (_("Global Rating of Change"), "GROC"),
    "start-back": (_("Keele STarT Back Screening Tool"), "STarT Back"),
    "ndi": (_("Neck Disability Index"), "NDI"),
    "odi": (_("Oswestry Disability Index"), "ODI"),
    "rmdq": (_("Roland-Morris Disability Questionnaire"), "RMDQ"),
    "bournemouth-neck": (_("Bournemouth Questionnaire, neck"), "BQ"),
    "bournemouth-back": (_("Bournemouth Questionnaire, back"), "BQ"),
    "hit-6": (_("Headache Impact Test"), "HIT-6"),
    "dhi": (_("Dizziness Handicap Inventory"), "DHI"),
}


def instrument_choices() -> list[tuple[str, str]]:
    from atlaschart.measure.instruments.catalogue import INSTRUMENTS

    return [("", "—")] + [(i, instrument_label(i)) for i in INSTRUMENTS]


class GoalForm(forms.Form):
    """One care-plan goal: in words, the instrument that measures it, the score to reach on that
    instrument's scale, and by when."""

    description = forms.CharField(label=_("Goal"), max_length=300, required=False)
    measure = forms.ChoiceField(label=_("Measured by"), required=False, choices=())
    target_value = forms.DecimalField(
        label=_("Target score"), required=False, max_digits=7, decimal_places=2
    )
    target_date = _date_field(_("By when"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = instrument_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        from atlaschart.measure.instruments.catalogue import INSTRUMENTS

        data = super().clean() or {}
        given = [
            k for k in ("measure", "target_value", "target_date") if data.get(k) not in (None, "")
        ]
        if not data.get("description"):
            if given:
                self.add_error("description", _("Say the goal in words."))
            return data
        measure, target = data.get("measure"), data.get("target_value")
        if target is not None and not measure:
            self.add_error("measure", _("Choose the instrument the target score is on."))
        if measure and target is None:
            self.add_error("target_value", _("Give the score to reach."))
        instrument = INSTRUMENTS.get(measure or "")
        if instrument is not None and target is not None:
            lo, hi = instrument.score_range
            if not Decimal(str(lo)) <= target <= Decimal(str(hi)):
                self.add_error(
                    "target_value",
                    _("%(instrument)s scores run from %(lo)s to %(hi)s.")
                    % {"instrument": instrument_label(measure), "lo": lo, "hi": hi},
                )
        return data

    def goal(self) -> dict[str, Any] | None:
        d = self.cleaned_data
        if not d.get("description"):
            return None
        return {
            "description": d["description"],
            "measure": d.get("measure") or "",
            "target_value": d.get("target_value"),
            "target_date": d.get("target_date"),
        }


class BaseGoalFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, start_date: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_date = start_date

    def clean(self) -> None:
        if any(self.errors) or self.start_date is None:
            return
        for form in self.forms:
            when = form.cleaned_data.get("target_date")
            if when and when < self.start_date:
                form.add_error("target_date", _("The date is before the plan starts."))

    def goals(self) -> list[dict[str, Any]]:
        return [g for g in (form.goal() for form in self.forms) if g is not None]


GoalFormSet = forms.formset_factory(
    GoalForm, formset=BaseGoalFormSet, extra=3, max_num=10, absolute_max=10, validate_max=True
)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent for"), choices=ConsentKind.choices)
    given_on = _date_field(_("Given on"))
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


# ------------------------------------------------------------------------------ public form

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
    date_of_birth = _date_field(_("Date of birth"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def clean_date_of_birth(self) -> Any:
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        return dob
