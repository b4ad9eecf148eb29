from __future__ import annotations

import time
from datetime import date
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.accounts.models import Role, User
from atlaschart.visits.models import FIRST_YEAR, LAST_YEAR, ConsentKind, TreatmentKind
from atlaschart.visits.techniques import MANUAL_THERAPY, TECHNIQUES, parse_settings

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


class AppointmentForm(forms.Form):
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    starts_at = _datetime_field(_("Starts at"))
    minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=5, max_value=480, initial=30
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians_of(clinic_id)  # type: ignore[attr-defined]


class RecurringForm(forms.Form):
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    first_start = _datetime_field(_("First visit"))
    minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=5, max_value=480, initial=30
    )

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
GUIDANCE = [
    ("", "—"),
    ("ultrasound", _("Ultrasound")),
    ("fluoroscopy", _("Fluoroscopy")),
    ("landmark", _("Landmark")),
]


class TreatmentForm(forms.Form):
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
        help_text=_("e.g. ASRp, or the analysis profile's listing."),
    )
    contact_side = forms.ChoiceField(label=_("Contact side"), choices=SIDES, required=False)
    settings_text = forms.CharField(
        label=_("Technique settings"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name = number, e.g. “lateral_vector_deg = 12”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    drug = forms.CharField(label=_("Drug"), max_length=120, required=False)
    dose_mg = forms.DecimalField(
        label=_("Dose (mg)"), min_value=0, max_value=100000, decimal_places=2, required=False
    )
    volume_ml = forms.DecimalField(
        label=_("Volume (mL)"), min_value=0, max_value=1000, decimal_places=2, required=False
    )
    site = forms.CharField(label=_("Site"), max_length=120, required=False)
    guidance = forms.ChoiceField(label=_("Guidance"), choices=GUIDANCE, required=False)
    physician = forms.CharField(label=_("Physician"), max_length=120, required=False)
    complications = forms.CharField(
        label=_("Complications"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, technique = data.get("kind"), data.get("technique") or ""
        if kind == TreatmentKind.UC_ADJUSTMENT and technique not in TECHNIQUES:
            self.add_error("technique", _("Choose an upper cervical technique."))
        if kind == TreatmentKind.MANUAL_THERAPY and technique not in MANUAL_THERAPY:
            self.add_error("technique", _("Choose a manual therapy technique."))
        if kind == TreatmentKind.INJECTION:
            for name in ("drug", "site", "guidance", "physician"):
                if not data.get(name):
                    self.add_error(name, _("Required for an injection or nerve block."))
            if data.get("dose_mg") is None and data.get("volume_ml") is None:
                self.add_error("dose_mg", _("Give the dose, the volume, or both."))
            data["technique"] = ""
        try:
            data["technique_settings"] = parse_settings(technique, data.get("settings_text") or "")
        except ValueError as err:
            self.add_error("settings_text", str(err))
        return data

    def treatment_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("settings_text", None)
        return d


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
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: goal | measured by (questionnaire id or metric) | target, "
            "e.g. “Turn the head to drive | ndi | below 10”."
        ),
    )

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

    def clean_goals(self) -> list[dict[str, str]]:
        goals = []
        for line in (self.cleaned_data.get("goals") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            parts += ["", ""]
            if len(parts[0]) > 300 or len(parts[1]) > 80 or len(parts[2]) > 80:
                raise ValidationError(_("A goal line is too long."))
            goals.append({"description": parts[0], "measure": parts[1], "target": parts[2]})
        return goals


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
