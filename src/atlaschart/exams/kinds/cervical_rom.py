"""Cervical range of motion: the angle of each movement from neutral and whether it was painful
(``measure.exam.cervical_rom``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.exams import labels as L
from atlaschart.exams.adapt import Raw
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm, float_field
from atlaschart.exams.wording import Entered, Table, deg, label
from atlaschart.measure.exam import parse_choice
from atlaschart.measure.exam.cervical_rom import CervicalRom, Movement, RomMeasurement, RomMethod


class CervicalRomForm(ExamForm):
    with_timing = True
    core_fields = {"angle_deg": "angle_flexion"}
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=L.choices(L.ROM_METHOD))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, text in L.MOVEMENT.items():
            self.fields[f"angle_{name}"] = float_field(label=f"{text} (°)")
            self.fields[f"pain_{name}"] = forms.BooleanField(
                label=f"{text}: {gettext_lazy('painful')}", required=False
            )


def derive(raw: Raw, context: Context) -> Raw:
    rom = CervicalRom(
        tuple(
            RomMeasurement(m, raw[f"angle_{m.value}"], bool(raw.get(f"pain_{m.value}")))
            for m in Movement
            if raw.get(f"angle_{m.value}") is not None
        ),
        parse_choice(RomMethod, "method", raw.get("method") or "visual"),
    )
    return {"painful_movements": [m.value for m in rom.painful_movements]}


def summary(raw: Raw, derived: Raw) -> str:
    parts = [
        f"{text} {deg(raw[f'angle_{m}'])}"
        for m, text in L.MOVEMENT.items()
        if raw.get(f"angle_{m}") is not None
    ]
    painful = [str(L.MOVEMENT.get(m, m)) for m in derived.get("painful_movements") or []]
    line = ", ".join(parts)
    if painful:
        line += "; " + _("painful: %(movements)s") % {"movements": ", ".join(painful)}
    return line


def entered(raw: Raw, derived: Raw) -> Entered:
    used = {"method"}
    rows = []
    for movement, text in L.MOVEMENT.items():
        used.update({f"angle_{movement}", f"pain_{movement}"})
        angle = raw.get(f"angle_{movement}")
        if angle is not None:
            painful = _("Painful") if raw.get(f"pain_{movement}") else "—"
            rows.append((str(text), deg(angle), painful))
    note = _("Method: %(method)s. Degrees from the neutral position.") % {
        "method": label(L.ROM_METHOD, raw.get("method") or "visual")
    }
    table = Table(
        _("Cervical range of motion"), tuple(rows), (_("Movement"), _("Angle"), _("Pain")), note
    )
    return ([table] if rows else []), used


def computed(derived: Raw) -> list[tuple[str, str]]:
    painful = [label(L.MOVEMENT, m) for m in derived.get("painful_movements") or []]
    return [(_("Painful movements"), ", ".join(painful) or _("None"))]


KIND = ExamKindSpec(
    "cervical_rom",
    gettext_lazy("Cervical range of motion"),
    CervicalRomForm,
    derive,
    summary,
    entered,
    computed,
)
