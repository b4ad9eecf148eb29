"""Romberg test: seconds held and loss of balance with eyes open, then closed, on a firm or foam
surface (``measure.exam.balance``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.exams import labels as L
from atlaschart.exams.adapt import Raw, given
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm, float_field
from atlaschart.exams.wording import Entered, Table, label, num, tri, yes_no
from atlaschart.measure.exam import parse_choice
from atlaschart.measure.exam.balance import Eyes, RombergTrial, Surface, romberg_positive


class RombergForm(ExamForm):
    with_timing = True
    core_fields = {"held_s": "open_held_s"}
    surface = forms.ChoiceField(label=gettext_lazy("Surface"), choices=L.choices(L.SURFACE))
    open_held_s = float_field(label=gettext_lazy("Eyes open: seconds held"), required=True)
    open_lost = forms.BooleanField(label=gettext_lazy("Eyes open: lost balance"), required=False)
    closed_held_s = float_field(label=gettext_lazy("Eyes closed: seconds held"), required=True)
    closed_lost = forms.BooleanField(
        label=gettext_lazy("Eyes closed: lost balance"), required=False
    )


def derive(raw: Raw, context: Context) -> Raw:
    surface = parse_choice(Surface, "surface", raw.get("surface") or "firm")
    opened = RombergTrial(Eyes.OPEN, given(raw, "open_held_s"), bool(raw.get("open_lost")), surface)
    closed = RombergTrial(
        Eyes.CLOSED, given(raw, "closed_held_s"), bool(raw.get("closed_lost")), surface
    )
    return {"romberg_positive": romberg_positive(opened, closed)}


def summary(raw: Raw, derived: Raw) -> str:
    return tri(
        derived.get("romberg_positive"),
        _("Romberg positive"),
        _("Romberg negative"),
        _("Romberg not interpretable"),
    )


def _seconds(value: object) -> str:
    return "—" if value is None else _("%(n)s s") % {"n": num(value, 1)}


def entered(raw: Raw, derived: Raw) -> Entered:
    rows = (
        (_("Eyes open"), _seconds(raw.get("open_held_s")), yes_no(bool(raw.get("open_lost")))),
        (
            _("Eyes closed"),
            _seconds(raw.get("closed_held_s")),
            yes_no(bool(raw.get("closed_lost"))),
        ),
    )
    note = _("Surface: %(surface)s.") % {"surface": label(L.SURFACE, raw.get("surface"))}
    table = Table(_("Romberg test"), rows, (_("Trial"), _("Time held"), _("Lost balance")), note)
    return [table], {"surface", "open_held_s", "open_lost", "closed_held_s", "closed_lost"}


def computed(derived: Raw) -> list[tuple[str, str]]:
    if "romberg_positive" not in derived:
        return []
    result = tri(derived["romberg_positive"], _("Positive"), _("Negative"), _("Not interpretable"))
    return [(_("Romberg test"), result)]


KIND = ExamKindSpec(
    "romberg", gettext_lazy("Romberg test"), RombergForm, derive, summary, entered, computed
)
