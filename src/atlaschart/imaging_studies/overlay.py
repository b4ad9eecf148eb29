"""The lines of a saved analysis for drawing over its image (compare page): image pixels,
x right, y down, like the stored points. Drawing only: the values come from the core.

The central skull line is the total-least-squares line through the skull pair midpoints (as
``analysis.py`` fits it) but fitted here in pixels; with unequal row and column spacing its drawn
direction differs from the mm fit by less than the spacing ratio, which is invisible at display
size. Lines are extended a little past their points so short lines stay visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atlaschart.measure.radiograph.geometry import GeometryError, fit_line_tls

Line = dict[str, Any]


def _line(a: Any, b: Any, kind: str, extend: float = 0.15) -> Line:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    return {
        "x1": round(ax - dx * extend, 1),
        "y1": round(ay - dy * extend, 1),
        "x2": round(bx + dx * extend, 1),
        "y2": round(by + dy * extend, 1),
        "kind": kind,
    }


def lines(form: Mapping[str, Any], rows: int) -> list[Line]:
    """Lines of one analysis form (``UCAnalysis.points``); ``rows`` is the image height in px,
    the length the central skull line is drawn across."""
    points: Mapping[str, Any] = form.get("points", {})
    out: list[Line] = []

    def pair(a: str, b: str, kind: str) -> None:
        if a in points and b in points:
            out.append(_line(points[a], points[b], kind))

    for right, left in points.get("skull_pairs", []):
        out.append(_line(right, left, "pair", 0.0))
    mids = [((r[0] + lf[0]) / 2, (r[1] + lf[1]) / 2) for r, lf in points.get("skull_pairs", [])]
    if len(mids) >= 2:
        try:
            fit = fit_line_tls(mids)
        except GeometryError:
            fit = None
        if fit is not None:
            (cx, cy), (ux, uy) = fit.centroid, fit.direction
            half = rows / 2
            out.append(
                _line((cx - ux * half, cy - uy * half), (cx + ux * half, cy + uy * half), "csl", 0)
            )
    pair("apl_right", "apl_left", "apl")
    pair("plumb_top", "plumb_bottom", "plumb")
    pair("c7_mid", "c2_center", "lower")
    pair("skull_posterior", "skull_anterior", "skull")
    pair("atlas_posterior_tubercle", "atlas_anterior_tubercle", "apl")
    return out


def marks(form: Mapping[str, Any]) -> list[dict[str, float]]:
    """Every placed point, for small circles."""
    out: list[dict[str, float]] = []
    for name, value in form.get("points", {}).items():
        if name == "skull_pairs":
            out.extend({"x": p[0], "y": p[1]} for pr in value for p in pr)
        elif name.endswith("_arc"):
            out.extend({"x": p[0], "y": p[1]} for p in value)
        else:
            out.append({"x": value[0], "y": value[1]})
    return out
