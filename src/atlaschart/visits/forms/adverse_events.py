"""The adverse-event follow-up after treatment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from atlaschart.measure.exam.adverse_event import SeriousCriterion

#: The serious-event criteria a follow-up can tick (the core's, in its order), with their words.
_CRITERION_WORDS: dict[SeriousCriterion, StrOrPromise] = {
    SeriousCriterion.DEATH: _("Death"),
    SeriousCriterion.LIFE_THREATENING: _("Life-threatening"),
    SeriousCriterion.HOSPITALISATION: _("Hospital admission or emergency care"),
    SeriousCriterion.PERSISTENT_DISABILITY: _("Persistent disability"),
    SeriousCriterion.NEW_NEUROLOGICAL_DEFICIT: _("New neurological deficit (e.g. stroke signs)"),
}
SERIOUS_CRITERIA: list[tuple[str, StrOrPromise]] = [
    (criterion.value, _CRITERION_WORDS[criterion]) for criterion in SeriousCriterion
]


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
        choices=SERIOUS_CRITERIA,
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
