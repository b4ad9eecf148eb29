"""Forms and JSON payload parsers. Parsers raise ``PayloadError`` with a translated message."""

from __future__ import annotations

import math
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from atlaschart.imaging_studies.models import Projection, ScreenSide


class PayloadError(ValueError):
    pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label=_lazy("Files"),
        help_text=_lazy("DICOM files, a .zip of a study, or PNG/JPEG scans of films."),
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class AnalysisStartForm(forms.Form):
    view = forms.ChoiceField(
        label=_lazy("View"),
        choices=[
            ("nasium", _lazy("Nasium (AP)")),
            ("vertex", _lazy("Vertex")),
            ("lateral", _lazy("Lateral")),
        ],
    )


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PayloadError(_("%(what)s must be a number.") % {"what": what})
    return float(value)


def _xy(value: Any, what: str) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise PayloadError(_("%(what)s must be a point [x, y].") % {"what": what})
    return [_number(value[0], what), _number(value[1], what)]


_NAME = re.compile(r"^[A-Za-z0-9_ .\-가-힣]{1,60}$")


def _name(value: Any) -> str:
    if not isinstance(value, str) or not _NAME.match(value.strip()):
        raise PayloadError(_("A landmark name must be 1 to 60 letters, digits, spaces, _ . or -."))
    return value.strip()


def parse_instance_update(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PayloadError(_("The request was not understood."))
    out: dict[str, Any] = {}
    if "projection" in data:
        if data["projection"] not in Projection.values:
            raise PayloadError(_("Unknown projection."))
        out["projection"] = data["projection"]
    if "patient_right_on" in data:
        if data["patient_right_on"] not in ScreenSide.values:
            raise PayloadError(_("Unknown side."))
        out["patient_right_on"] = data["patient_right_on"]
    if "landmarks" in data:
        marks = data["landmarks"]
        if not isinstance(marks, list) or len(marks) > 200:
            raise PayloadError(_("Landmarks must be a list (at most 200)."))
        out["landmarks"] = [
            {
                "name": _name(m.get("name") if isinstance(m, dict) else None),
                "x": _number(m.get("x"), "x"),
                "y": _number(m.get("y"), "y"),
            }
            for m in marks
        ]
    if "magnification" in data:
        m = _number(data["magnification"], _("Magnification"))
        if not 1.0 <= m <= 3.0:
            raise PayloadError(_("The magnification factor must be between 1 and 3."))
        out["magnification"] = m
    if "calibration" in data:
        c = data["calibration"]
        if not isinstance(c, dict):
            raise PayloadError(_("The request was not understood."))
        length = _number(c.get("length_mm"), _("Known length"))
        a, b = _xy(c.get("a"), "a"), _xy(c.get("b"), "b")
        if length <= 0 or math.dist(a, b) < 1:
            raise PayloadError(
                _("Draw the marker over at least one pixel and give a positive length.")
            )
        out["calibration"] = {"a": a, "b": b, "length_mm": length}
    return out


def flat_to_core(flat: Any) -> dict[str, Any]:
    """Editor point names → the core's form: ``skull_pairs.N.right``/``.left`` become the
    ``skull_pairs`` list (ordered by N), ``condyle_arc.N`` the arc list."""
    if not isinstance(flat, dict) or len(flat) > 300:
        raise PayloadError(_("The request was not understood."))
    points: dict[str, Any] = {}
    pairs: dict[int, dict[str, list[float]]] = {}
    arcs: dict[str, dict[int, list[float]]] = {}
    for key, value in flat.items():
        if not isinstance(key, str):
            raise PayloadError(_("The request was not understood."))
        xy = _xy(value, key)
        parts = key.split(".")
        if (
            len(parts) == 3
            and parts[0] == "skull_pairs"
            and parts[1].isdigit()
            and parts[2] in ("right", "left")
        ):
            pairs.setdefault(int(parts[1]), {})[parts[2]] = xy
        elif len(parts) == 2 and parts[0].endswith("_arc") and parts[1].isdigit():
            arcs.setdefault(parts[0], {})[int(parts[1])] = xy
        elif len(parts) == 1 and _NAME.match(key):
            points[key] = xy
        else:
            raise PayloadError(_("Unknown point name “%(name)s”.") % {"name": key[:60]})
    if pairs:
        out_pairs = []
        for n in sorted(pairs):
            if set(pairs[n]) != {"right", "left"}:
                raise PayloadError(
                    _("Skull pair %(n)s needs both its right and its left point.") % {"n": n}
                )
            out_pairs.append([pairs[n]["right"], pairs[n]["left"]])
        points["skull_pairs"] = out_pairs
    for name, arc in arcs.items():
        points[name] = [arc[n] for n in sorted(arc)]
    return points


def core_to_flat(points: dict[str, Any]) -> dict[str, list[float]]:
    flat: dict[str, list[float]] = {}
    for name, value in points.items():
        if name == "skull_pairs":
            for i, (right, left) in enumerate(value, start=1):
                flat[f"skull_pairs.{i}.right"], flat[f"skull_pairs.{i}.left"] = right, left
        elif name.endswith("_arc"):
            for i, p in enumerate(value, start=1):
                flat[f"{name}.{i}"] = p
        else:
            flat[name] = value
    return flat
