"""Pre-treatment safety screen: the red-flag items of ``measure.safety`` (their wording in
English and Korean comes from there). Nothing is derived here: the safety app screens the
answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from atlaschart.exams.adapt import Raw
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm, float_field
from atlaschart.exams.wording import Entered, Table
from atlaschart.measure.safety import SCREENING_QUESTIONS


def _lang() -> str:
    return "ko" if (get_language() or "").startswith("ko") else "en"


class SafetyScreenForm(ExamForm):
    """Clinician signs (UMN signs, blood pressure, age) are not asked here: the gate takes them
    from the latest neuro and blood-pressure exams and the date of birth."""

    KINDS = ("yes-no", "timing", "yes-no-na", "risk-factors", "number")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = _lang()
        for q in SCREENING_QUESTIONS:
            text = q.text[lang]
            if q.kind == "risk-factors":
                # "None of these" is a choice of its own, so an unanswered item stays unanswered.
                self.fields[q.id] = forms.MultipleChoiceField(
                    label=text,
                    required=not q.asked_when,
                    widget=forms.CheckboxSelectMultiple,
                    choices=[(_encode(c.value), c.text[lang]) for c in q.choices],
                )
            elif q.kind == "number":
                self.fields[q.id] = float_field(label=text)
            else:
                self.fields[q.id] = forms.ChoiceField(
                    label=text,
                    required=not q.asked_when,
                    choices=[("", "—"), *[(_encode(c.value), c.text[lang]) for c in q.choices]],
                )

    def raw(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for q in SCREENING_QUESTIONS:
            value = self.cleaned_data.get(q.id)
            if value in (None, "", []):
                continue
            if q.kind == "risk-factors":
                factors = [v for v in value if v != "false"]
                answers[q.id] = factors or False
            else:
                answers[q.id] = _decode(value)
        return answers


def _encode(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _decode(value: Any) -> Any:
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


def derive(raw: Raw, context: Context) -> Raw:
    return {}


def summary(raw: Raw, derived: Raw) -> str:
    return ""


def entered(raw: Raw, derived: Raw) -> Entered:
    lang = _lang()
    rows = []
    used = set()
    for q in SCREENING_QUESTIONS:
        if q.id not in raw:
            continue
        used.add(q.id)
        value = raw[q.id]
        texts = {c.value: c.text[lang] for c in q.choices}
        if isinstance(value, list):
            answer = ", ".join(str(texts.get(v, v)) for v in value) or texts.get(False, _("No"))
        elif isinstance(value, bool | str) and value in texts:
            answer = texts[value]
        else:
            answer = "—" if value is None else str(value)
        rows.append((q.text[lang], answer))
    table = Table(_("Answers"), tuple(rows), (_("Question"), _("Answer")))
    return ([table] if rows else []), used


KIND = ExamKindSpec(
    "safety_screen",
    gettext_lazy("Pre-treatment safety screen"),
    SafetyScreenForm,
    derive,
    summary,
    entered,
)
