"""Paraspinal thermography: left − right temperature differences per level, the instrument and
the acclimation time (``measure.exam.thermography``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from atlaschart.exams import labels as L
from atlaschart.exams.adapt import Raw
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm, float_field
from atlaschart.exams.wording import Entered, Table, kv, label, num, yes_no
from atlaschart.measure.exam import ExamValidationError, parse_choice
from atlaschart.measure.exam.thermography import Instrument, ThermographyScan, ThermoReading


class ThermographyForm(ExamForm):
    with_timing = True
    core_fields = {"level": "readings", "differential_c": "readings"}
    instrument = forms.ChoiceField(
        label=gettext_lazy("Instrument"), choices=L.choices(L.INSTRUMENT)
    )
    acclimation_min = float_field(label=gettext_lazy("Acclimation (minutes)"))
    readings = forms.CharField(
        label=gettext_lazy("Readings"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=gettext_lazy(
            "One level per line: level and left − right difference in °C, e.g. “C1 0.3”."
        ),
    )


def thermo_readings(text: str) -> list[tuple[str, float]]:
    """Parse "C1 0.3" lines (level, left − right °C)."""
    readings = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ExamValidationError("not_a_number", "readings", value=f"line {number}")
        try:
            readings.append((parts[0], float(parts[1])))
        except ValueError:
            raise ExamValidationError("not_a_number", "readings", value=f"line {number}") from None
    return readings


def derive(raw: Raw, context: Context) -> Raw:
    scan = ThermographyScan(
        parse_choice(Instrument, "instrument", raw.get("instrument") or "dual_probe"),
        tuple(
            ThermoReading(level, diff) for level, diff in thermo_readings(raw.get("readings") or "")
        ),
        raw.get("acclimation_min"),
    )
    return {"max_abs_differential_c": scan.max_abs_differential_c, "acclimated": scan.acclimated}


def thermo_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def summary(raw: Raw, derived: Raw) -> str:
    try:
        count = len(thermo_lines(raw.get("readings") or ""))
    except ValueError:
        count = 0
    largest = derived.get("max_abs_differential_c")
    text = ngettext("%(n)s level", "%(n)s levels", count) % {"n": count}
    if largest is not None:
        text += ", " + _("largest |ΔT| %(t)s °C") % {"t": num(largest)}
    return text


def entered(raw: Raw, derived: Raw) -> Entered:
    acclimation = raw.get("acclimation_min")
    tables = []
    about = kv(
        _("Paraspinal thermography"),
        [
            (_("Instrument"), label(L.INSTRUMENT, raw.get("instrument"))),
            (
                _("Acclimation"),
                "" if acclimation is None else _("%(n)s min") % {"n": num(acclimation, 1)},
            ),
        ],
    )
    if about:
        tables.append(about)
    try:
        readings = thermo_readings(raw.get("readings") or "")
    except ValueError:
        readings = []
    if readings:
        rows = tuple((level, f"{'+' if d > 0 else ''}{num(d)} °C") for level, d in readings)
        tables.append(
            Table(_("Readings"), rows, (_("Level"), _("Left − right temperature difference")))
        )
    return tables, {"instrument", "acclimation_min", "readings"}


def computed(derived: Raw) -> list[tuple[str, str]]:
    rows = []
    if derived.get("max_abs_differential_c") is not None:
        rows.append((_("Largest |ΔT|"), f"{num(derived['max_abs_differential_c'])} °C"))
    rows.append(
        (_("Acclimated (16 min or more)"), yes_no(derived.get("acclimated"), _("Not recorded")))
    )
    return rows


KIND = ExamKindSpec(
    "thermography",
    gettext_lazy("Paraspinal thermography"),
    ThermographyForm,
    derive,
    summary,
    entered,
    computed,
)
