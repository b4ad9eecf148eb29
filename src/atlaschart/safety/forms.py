"""The clinician's screening form: every item of the core (prefilled from the latest screen) and
the signs that feed the same rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from atlaschart.measure.safety import SCREENING_QUESTIONS, ScreeningQuestion

SIGNS_YES_NO = (
    ("sign_hoffmann", _("Hoffmann sign positive")),
    ("sign_sharp_purser", _("Sharp-Purser test positive")),
    ("sign_gait_abnormal", _("Gait abnormal or unsteady")),
    ("sign_babinski", _("Babinski sign positive")),
    ("sign_inverted_supinator", _("Inverted supinator sign positive")),
    ("sign_clonus", _("Clonus")),
    ("sign_hyperreflexia", _("Hyperreflexia")),
)
TRI = (("", _("not tested")), ("yes", _("yes")), ("no", _("no")))


def _encode(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "" if value is None else str(value)


def _question_label(q: ScreeningQuestion, lang: str) -> str:
    """The item id a clinician knows (``V6``), never a detail's input key (``V6_acute_onset``)."""
    return f"{q.id.split('_', 1)[0]} · {q.text[lang]}"


class ScreenEntryForm(forms.Form):
    reassessment_reason = forms.CharField(
        label=_("Reason for changing the patient's answers"),
        help_text=_(
            "Needed only when your interview changes an answer the patient gave (for example "
            "dizziness placed weeks ago, not now). The patient's answers are kept as they were."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    bp_systolic_mmhg = forms.IntegerField(
        label=_("Blood pressure, systolic (mmHg)"), required=False, min_value=40, max_value=300
    )
    bp_diastolic_mmhg = forms.IntegerField(
        label=_("Blood pressure, diastolic (mmHg)"), required=False, min_value=20, max_value=200
    )

    def __init__(self, *args: Any, previous: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = "ko" if (get_language() or "").startswith("ko") else "en"
        for key, label in SIGNS_YES_NO:
            self.fields[key] = forms.ChoiceField(
                label=label, choices=TRI, required=False, initial=_encode(previous.get(key))
            )
        for key in ("bp_systolic_mmhg", "bp_diastolic_mmhg"):
            if previous.get(key) is not None:
                self.fields[key].initial = int(previous[key])
        for q in SCREENING_QUESTIONS:
            if q.kind == "risk-factors":
                prev = previous.get(q.id)
                self.fields[q.id] = forms.MultipleChoiceField(
                    label=_question_label(q, lang),
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    choices=[(_encode(c.value), c.text[lang]) for c in q.choices],
                    initial=["no"] if prev is False or prev == [] else (prev or []),
                )
            else:
                self.fields[q.id] = forms.ChoiceField(
                    label=_question_label(q, lang),
                    required=False,
                    choices=[("", "—"), *[(_encode(c.value), c.text[lang]) for c in q.choices]],
                    initial=_encode(previous.get(q.id)),
                )

        # The reason goes last, after the answers it explains.
        self.fields["reassessment_reason"] = self.fields.pop("reassessment_reason")

    def entries(self) -> dict[str, Any]:
        """The core's input keys and values; ``None`` clears a previous answer."""
        out: dict[str, Any] = {}
        data = self.cleaned_data
        for key, _label in SIGNS_YES_NO:
            out[key] = {"yes": True, "no": False}.get(data.get(key) or "")
        for key in ("bp_systolic_mmhg", "bp_diastolic_mmhg"):
            out[key] = float(data[key]) if data.get(key) is not None else None
        for q in SCREENING_QUESTIONS:
            value = data.get(q.id)
            if q.kind == "risk-factors":
                codes = [v for v in (value or []) if v != "no"]
                out[q.id] = codes if codes else (False if value else None)
            else:
                out[q.id] = {"yes": True, "no": False, "": None}.get(value or "", value)
        return out


class AcknowledgeForm(forms.Form):
    rule = forms.CharField(max_length=60)
    action = forms.ChoiceField(
        choices=(("acknowledge", _("Acknowledge")), ("override", _("Override")))
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
