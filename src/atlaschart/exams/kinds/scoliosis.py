"""Scoliosis screen: Adam's forward bend test and scoliometer angles of trunk rotation per region;
refers at or above the clinic's ATR threshold (``measure.exam.scoliosis``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.exams import labels as L
from atlaschart.exams.adapt import Raw, side
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import SIDE_CHOICES, ExamForm, float_field
from atlaschart.exams.wording import Entered, Table, deg, kv, label, yes_no
from atlaschart.measure.exam.scoliosis import (
    ScoliometerReading,
    ScoliosisScreen,
    SpineRegion,
    scoliosis_referral,
)


def atr_referral_deg() -> float:
    """Scoliometer referral threshold; settings.ATLASCHART_ATR_REFERRAL_DEG (default 7°)."""
    return float(getattr(settings, "ATLASCHART_ATR_REFERRAL_DEG", 7.0))


class ScoliosisForm(ExamForm):
    adams_positive = forms.BooleanField(
        label=gettext_lazy("Adam's forward bend test positive"), required=False
    )
    hump_side = forms.ChoiceField(
        label=gettext_lazy("Hump side"), choices=SIDE_CHOICES, required=False
    )
    core_fields = {"atr_deg": "atr_thoracic", "side": "atr_thoracic_side"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, text in L.SPINE_REGION.items():
            self.fields[f"atr_{name}"] = float_field(
                label=f"{text}: {gettext_lazy('scoliometer ATR (°)')}"
            )
            self.fields[f"atr_{name}_side"] = forms.ChoiceField(
                label=f"{text}: {gettext_lazy('side')}", choices=SIDE_CHOICES, required=False
            )


def derive(raw: Raw, context: Context) -> Raw:
    readings = tuple(
        ScoliometerReading(
            region, raw[f"atr_{region.value}"], side("side", raw.get(f"atr_{region.value}_side"))
        )
        for region in SpineRegion
        if raw.get(f"atr_{region.value}") is not None
    )
    screen = ScoliosisScreen(
        bool(raw.get("adams_positive")), side("hump_side", raw.get("hump_side")), readings
    )
    referral = scoliosis_referral(screen, atr_referral_deg())
    return {
        "max_atr_deg": referral.max_atr_deg,
        "threshold_deg": referral.threshold_deg,
        "refer": referral.refer,
        "algorithms": [referral.algorithm.label],
    }


def summary(raw: Raw, derived: Raw) -> str:
    text = _("Adam's test positive") if raw.get("adams_positive") else _("Adam's test negative")
    if derived.get("max_atr_deg") is not None:
        text += ", " + _("largest ATR %(atr)s") % {"atr": deg(derived["max_atr_deg"])}
        if derived.get("refer"):
            text += " " + _("(refer)")
    return text


def entered(raw: Raw, derived: Raw) -> Entered:
    used = {"adams_positive", "hump_side"}
    tables = []
    adams = kv(
        _("Adam's forward bend test"),
        [
            (_("Result"), _("Positive") if raw.get("adams_positive") else _("Negative")),
            (_("Hump side"), label(L.PATIENT_SIDE, raw.get("hump_side"))),
        ],
    )
    if adams:
        tables.append(adams)
    rows = []
    for region, text in L.SPINE_REGION.items():
        used.update({f"atr_{region}", f"atr_{region}_side"})
        if raw.get(f"atr_{region}") is not None:
            rows.append(
                (
                    str(text),
                    deg(raw[f"atr_{region}"]),
                    label(L.PATIENT_SIDE, raw.get(f"atr_{region}_side")),
                )
            )
    if rows:
        tables.append(
            Table(
                _("Scoliometer (angle of trunk rotation)"),
                tuple(rows),
                (_("Region"), _("ATR"), _("Side")),
            )
        )
    return tables, used


def computed(derived: Raw) -> list[tuple[str, str]]:
    if derived.get("max_atr_deg") is None:
        return []
    return [
        (_("Largest ATR"), deg(derived["max_atr_deg"])),
        (_("Referral threshold"), deg(derived.get("threshold_deg"))),
        (_("Refer for further evaluation"), yes_no(derived.get("refer"))),
    ]


KIND = ExamKindSpec(
    "scoliosis",
    gettext_lazy("Scoliosis screen"),
    ScoliosisForm,
    derive,
    summary,
    entered,
    computed,
)
