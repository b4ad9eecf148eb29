"""Care plans with their goals (an instrument, a target, by when) and consent records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from atlaschart.visits.forms.fields import date_field, field_of, within_years
from atlaschart.visits.models import (
    ConsentKind,
)


class CarePlanForm(forms.Form):
    start_date = date_field(_("Start date"))
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
    target_date = date_field(_("By when"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "measure", forms.ChoiceField).choices = instrument_choices()

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
        measure, target = data.get("measure") or "", data.get("target_value")
        if target is not None and not measure:
            self.add_error("measure", _("Choose the instrument the target score is on."))
        if measure and target is None:
            self.add_error("target_value", _("Give the score to reach."))
        instrument = INSTRUMENTS.get(measure)
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


class BaseGoalFormSet(forms.BaseFormSet[GoalForm]):
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


def _goal_formset() -> type[BaseGoalFormSet]:
    made = forms.formset_factory(
        GoalForm, formset=BaseGoalFormSet, extra=3, max_num=10, absolute_max=10, validate_max=True
    )
    # formset_factory subclasses the formset it is given; the stubs type it as the plain base.
    if not issubclass(made, BaseGoalFormSet):
        raise TypeError("formset_factory did not subclass BaseGoalFormSet")
    return made


GoalFormSet = _goal_formset()


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent for"), choices=ConsentKind.choices)
    given_on = date_field(_("Given on"))
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)
