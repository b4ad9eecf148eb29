"""Fukuda stepping test: steps, rotation and its side, displacement; rotation beyond 45° is
abnormal (``measure.exam.balance``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.exams import labels as L
from atlaschart.exams.adapt import SIDES, Raw, given, side
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import SIDE_CHOICES, ExamForm, float_field, int_field
from atlaschart.exams.wording import Entered, deg, kv, num, only, yes_no
from atlaschart.measure.exam.balance import FukudaTest


class FukudaForm(ExamForm):
    with_timing = True
    steps = int_field(label=gettext_lazy("Steps"), initial=50, required=True)
    rotation_deg = float_field(label=gettext_lazy("Rotation (°)"), required=True)
    direction = forms.ChoiceField(
        label=gettext_lazy("Turned to"), choices=SIDE_CHOICES, required=False
    )
    displacement_cm = float_field(label=gettext_lazy("Displacement (cm)"), required=True)


def derive(raw: Raw, context: Context) -> Raw:
    test = FukudaTest(
        given(raw, "steps"),
        given(raw, "rotation_deg"),
        side("direction", raw.get("direction")),
        given(raw, "displacement_cm"),
    )
    return {"abnormal": test.abnormal(), "threshold_deg": 45.0}


def rotation(raw: Raw) -> str:
    value = raw.get("rotation_deg")
    if value is None:
        return ""
    if raw.get("direction") in SIDES:
        return _("%(angle)s toward the %(side)s") % {
            "angle": deg(value),
            "side": L.PATIENT_SIDE_IN_TEXT[raw["direction"]],
        }
    return deg(value)


def summary(raw: Raw, derived: Raw) -> str:
    return rotation(raw)


def entered(raw: Raw, derived: Raw) -> Entered:
    disp = raw.get("displacement_cm")
    table = kv(
        _("Fukuda stepping test"),
        [
            (_("Steps"), "" if raw.get("steps") is None else str(raw["steps"])),
            (_("Rotation"), rotation(raw)),
            (_("Displacement"), "" if disp is None else f"{num(disp, 1)} cm"),
        ],
    )
    return only(table), {"steps", "rotation_deg", "direction", "displacement_cm"}


def computed(derived: Raw) -> list[tuple[str, str]]:
    if "abnormal" not in derived:
        return []
    limit = _("Rotation above %(limit)s") % {"limit": deg(derived.get("threshold_deg"))}
    return [(limit, yes_no(derived["abnormal"]))]


KIND = ExamKindSpec(
    "fukuda",
    gettext_lazy("Fukuda stepping test"),
    FukudaForm,
    derive,
    summary,
    entered,
    computed,
)
