"""Landmark sets for one radiograph view, parsed from the JSON the viewer and the CLI exchange.

Input frame: image pixels, x to the right, y down, as placed on the stored image (display flips
do not change them). Point names carry the PATIENT's side (``apl_left`` is the patient's left
end), so no image orientation is needed to name sides. Format (the ``uc-analysis`` CLI
contract, docs/radiograph.md)::

    {"view": "nasium" | "vertex" | "lateral",
     "pixel_spacing_mm": [row, col],      # optional: without it lengths stay in px
     "spacing_source": "PixelSpacing",    # optional, see calibration.py
     "magnification": 1.0,                # optional SID/SOD, divides the spacing
     "points": {NAME: [x, y], "skull_pairs": [[[x, y], [x, y]], ...], "condyle_arc": [[x, y], ...]}}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from atlaschart.measure.radiograph.calibration import SPACING_SOURCES, Calibration
from atlaschart.measure.radiograph.geometry import Point

VIEWS: tuple[str, ...] = ("nasium", "vertex", "lateral")
PAIR_LISTS: frozenset[str] = frozenset({"skull_pairs"})
POINT_LISTS: frozenset[str] = frozenset({"condyle_arc", "axis_arc"})


class LandmarkError(ValueError):
    """Malformed landmark input; the message names the offending field in plain English."""


@dataclass(frozen=True)
class LandmarkSet:
    """Validated landmarks of one view, still in image pixels (x right, y down)."""

    view: str
    calibration: Calibration
    points: Mapping[str, Point]
    pairs: Mapping[str, tuple[tuple[Point, Point], ...]] = field(default_factory=dict)
    arcs: Mapping[str, tuple[Point, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise LandmarkError(f"view must be one of {', '.join(VIEWS)}, got {self.view!r}")

    def has(self, name: str) -> bool:
        return name in self.points or name in self.pairs or name in self.arcs

    def point(self, name: str) -> Point:
        try:
            return self.points[name]
        except KeyError:
            raise LandmarkError(f"missing point {name!r}") from None


def _number(value: Any, what: str) -> float:
    # bool is an int in Python; a JSON true is never a coordinate.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LandmarkError(f"{what} must be a number, got {value!r}")
    f = float(value)
    if not math.isfinite(f):
        raise LandmarkError(f"{what} must be finite")
    return f


def _point(value: Any, what: str) -> Point:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise LandmarkError(f"{what} must be [x, y]")
    return (_number(value[0], f"{what} x"), _number(value[1], f"{what} y"))


def landmarks_from_dict(data: Any) -> LandmarkSet:
    """Parse and validate the JSON form above. Raises :class:`LandmarkError` with one line."""
    if not isinstance(data, dict):
        raise LandmarkError("landmarks must be a JSON object")
    view = data.get("view")
    if view not in VIEWS:
        raise LandmarkError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    calibration = _calibration(data)
    raw = data.get("points")
    if not isinstance(raw, dict):
        raise LandmarkError("points must be a JSON object of name: [x, y]")
    points: dict[str, Point] = {}
    pairs: dict[str, tuple[tuple[Point, Point], ...]] = {}
    arcs: dict[str, tuple[Point, ...]] = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not name:
            raise LandmarkError("point names must be non-empty strings")
        if name in PAIR_LISTS:
            pairs[name] = _pair_list(name, value)
        elif name in POINT_LISTS:
            arcs[name] = _point_list(name, value)
        else:
            points[name] = _point(value, name)
    return LandmarkSet(view=view, calibration=calibration, points=points, pairs=pairs, arcs=arcs)


def _calibration(data: dict[str, Any]) -> Calibration:
    """The pixel spacing and magnification; without a spacing, lengths stay in pixels."""
    magnification = _number(data.get("magnification", 1.0), "magnification")
    if magnification <= 0:
        raise LandmarkError("magnification must be positive")
    spacing = data.get("pixel_spacing_mm")
    if spacing is None:
        return Calibration(1.0, 1.0, "none", 1.0, ("no-pixel-spacing",))
    if not isinstance(spacing, list | tuple) or len(spacing) != 2:
        raise LandmarkError("pixel_spacing_mm must be [row, col]")
    row = _number(spacing[0], "pixel_spacing_mm row")
    col = _number(spacing[1], "pixel_spacing_mm col")
    if row <= 0 or col <= 0:
        raise LandmarkError("pixel_spacing_mm values must be positive")
    source = data.get("spacing_source", "PixelSpacing")
    if source not in SPACING_SOURCES or source == "none":
        raise LandmarkError(f"unknown spacing_source {source!r}")
    return Calibration(row, col, source, magnification)


def _pair_list(name: str, value: Any) -> tuple[tuple[Point, Point], ...]:
    """A list of [right, left] point pairs (the patient's sides)."""
    if not isinstance(value, list):
        raise LandmarkError(f"{name} must be a list of [[x, y] right, [x, y] left]")
    parsed: list[tuple[Point, Point]] = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise LandmarkError(f"{name}[{i}] must be [[x, y] right, [x, y] left]")
        parsed.append((_point(pair[0], f"{name}[{i}] right"), _point(pair[1], f"{name}[{i}] left")))
    return tuple(parsed)


def _point_list(name: str, value: Any) -> tuple[Point, ...]:
    if not isinstance(value, list):
        raise LandmarkError(f"{name} must be a list of [x, y]")
    return tuple(_point(p, f"{name}[{i}]") for i, p in enumerate(value))
