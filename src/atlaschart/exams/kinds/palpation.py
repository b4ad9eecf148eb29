"""Palpation: findings and tender levels as the clinician wrote them (nothing is derived)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.exams.adapt import Raw
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm
from atlaschart.exams.wording import Entered, kv, only


class PalpationForm(ExamForm):
    findings = forms.CharField(
        label=gettext_lazy("Findings"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    tender_levels = forms.CharField(
        label=gettext_lazy("Tender levels"), required=False, max_length=200
    )


def derive(raw: Raw, context: Context) -> Raw:
    return {}


def summary(raw: Raw, derived: Raw) -> str:
    return str(raw.get("findings") or "")[:120]


def entered(raw: Raw, derived: Raw) -> Entered:
    table = kv(
        _("Palpation"),
        [
            (_("Findings"), str(raw.get("findings") or "")),
            (_("Tender levels"), str(raw.get("tender_levels") or "")),
        ],
    )
    return only(table), {"findings", "tender_levels"}


KIND = ExamKindSpec("palpation", gettext_lazy("Palpation"), PalpationForm, derive, summary, entered)
