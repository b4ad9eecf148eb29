"""Upper cervical analysis of one view from landmarks: the generic orthogonal constructs.

Frame: landmarks arrive in image pixels (x right, y down). They are converted to millimetres in the
patient plane (``x·col/M``, ``y·row/M``, see ``calibration.py``) and then to a **y-up** frame
(``y ← −y``). Every construct is defined by dot products with directions built from the patient's
own left (point names carry the patient's side), so the results do not depend on whether the image
is displayed AP or PA, flipped or mirrored.

Source: the contract in docs/radiograph.md (every formula below), [derived] from the published
descriptions of the orthogonal analysis (Woodfield et al. 2015, ``[woodfield-2015-precis]``).
Angles are in degrees rounded to 0.01; lengths in mm (px when the image has no spacing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from atlaschart.measure.provenance import Algorithm
from atlaschart.measure.radiograph import geometry as g
from atlaschart.measure.radiograph.geometry import GeometryError, Point
from atlaschart.measure.radiograph.landmarks import LandmarkError, LandmarkSet
from atlaschart.measure.radiograph.profiles import (
    GENERIC_ORTHOGONAL_DATA,
    Profile,
    profile_from_dict,
)

# What the code computes, per view kind; profiles may report a subset.
IMPLEMENTED: dict[str, frozenset[str]] = {
    "nasium": frozenset(
        {
            "head_tilt_deg",
            "atlas_laterality_deg",
            "lower_angle_deg",
            "csl_max_residual_mm",
            "condylar_circle_radius_mm",
            "condylar_circle_rms_mm",
            "axis_circle_radius_mm",
            "axis_circle_rms_mm",
        }
    ),
    "vertex": frozenset({"atlas_rotation_deg"}),
    "lateral": frozenset({"atlas_plane_deg"}),
}

GENERIC_ORTHOGONAL: Profile = profile_from_dict(GENERIC_ORTHOGONAL_DATA, IMPLEMENTED)

MIN_SKULL_PAIRS = 2
MIN_ARC_POINTS = 3


@dataclass(frozen=True)
class DerivedValue:
    """One derived value: ``value`` rounded to 0.01 in ``unit`` (deg, mm or px), ``side`` the
    patient's ``"left"``/``"right"`` or None (no side, or a value of 0), and the algorithm."""

    name: str
    value: float
    unit: str
    side: str | None
    algorithm: Algorithm

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError(f"{self.name}: value must be finite")
        if self.unit not in ("deg", "mm", "px"):
            raise ValueError(f"{self.name}: unknown unit {self.unit!r}")
        if self.side not in (None, "left", "right"):
            raise ValueError(f"{self.name}: side must be left, right or None")

    @property
    def signed(self) -> float:
        """Value with the side as a sign: left positive, right negative (for comparisons)."""
        return -self.value if self.side == "right" else self.value


@dataclass(frozen=True)
class Analysis:
    """All derived values of one view, with the algorithm and the warnings (stable codes)."""

    view: str
    algorithm: Algorithm
    values: tuple[DerivedValue, ...]
    warnings: tuple[str, ...]

    def value(self, name: str) -> DerivedValue:
        for v in self.values:
            if v.name == name:
                return v
        raise KeyError(name)

    def as_mapping(self) -> dict[str, tuple[float, str | None]]:
        return {v.name: (v.value, v.side) for v in self.values}

    def to_json(self) -> dict[str, Any]:
        """The CLI contract: ``{"view", "algorithm", "values": {NAME: {value, unit, side}},
        "warnings"}``."""
        return {
            "view": self.view,
            "algorithm": self.algorithm.label,
            "values": {
                v.name: {"value": v.value, "unit": v.unit, "side": v.side} for v in self.values
            },
            "warnings": list(self.warnings),
        }


def _r2(x: float) -> float:
    # round() on floats is banker's rounding on exact halves only; fine at 0.01 for display,
    # and +0.0 avoids printing -0.0.
    return round(x, 2) + 0.0


class _Builder:
    def __init__(self, marks: LandmarkSet, algorithm: Algorithm) -> None:
        self.marks = marks
        self.algorithm = algorithm
        self.cal = marks.calibration
        self.values: list[DerivedValue] = []
        self.warnings: list[str] = list(marks.calibration.warnings)

    def mm(self, p: Point) -> Point:
        """Image px → mm, y up."""
        x, y = self.cal.to_mm(p[0], p[1])
        return (x, -y)

    def point(self, name: str) -> Point:
        return self.mm(self.marks.point(name))

    def optional_pair(self, a: str, b: str) -> tuple[Point, Point] | None:
        has_a, has_b = a in self.marks.points, b in self.marks.points
        if has_a != has_b:
            raise LandmarkError(f"{a} and {b} must be given together")
        return (self.point(a), self.point(b)) if has_a else None

    def up(self) -> Point:
        plumb = self.optional_pair("plumb_top", "plumb_bottom")
        if plumb is None:
            self.warnings.append("no-plumb-reference")
            return (0.0, 1.0)
        return g.unit(g.sub(plumb[0], plumb[1]), "plumb line (plumb_top, plumb_bottom)")

    def angle(self, name: str, s_deg: float, sided: bool = True) -> None:
        value = _r2(abs(s_deg) if sided else s_deg)
        side = None if not sided or value == 0 else ("left" if s_deg > 0 else "right")
        self.values.append(DerivedValue(name, value, "deg", side, self.algorithm))

    def length(self, name: str, v: float) -> None:
        self.values.append(DerivedValue(name, _r2(v), self.cal.length_unit, None, self.algorithm))


def _laterality_deg(a: Point, c: Point, left: Point, what: str) -> float:
    """s = atan2(a·c, a·p) with p ⟂ c, p·l > 0 (docs/radiograph.md)."""
    p = g.perpendicular_toward(c, left, f"patient-left direction against the {what}")
    return math.degrees(math.atan2(g.dot(a, c), g.dot(a, p)))


def _nasium(b: _Builder) -> None:
    pairs = b.marks.pairs.get("skull_pairs")
    if pairs is None:
        raise LandmarkError("missing point 'skull_pairs'")
    if len(pairs) < MIN_SKULL_PAIRS:
        raise LandmarkError(f"skull_pairs needs at least {MIN_SKULL_PAIRS} pairs, got {len(pairs)}")
    u = b.up()
    mm_pairs = [(b.mm(r), b.mm(lft)) for r, lft in pairs]
    n = len(mm_pairs)
    left = g.unit(
        (
            sum(lft[0] - r[0] for r, lft in mm_pairs) / n,
            sum(lft[1] - r[1] for r, lft in mm_pairs) / n,
        ),
        "patient-left direction from skull_pairs",
    )
    mids = [((r[0] + lft[0]) / 2, (r[1] + lft[1]) / 2) for r, lft in mm_pairs]
    fit = g.fit_line_tls(mids)
    c = fit.direction
    cu = g.dot(c, u)
    if abs(cu) <= 1e-12:
        raise GeometryError("central skull line is perpendicular to the vertical reference")
    if cu < 0:
        c = (-c[0], -c[1])
    h = g.perpendicular_toward(u, left, "patient-left direction against the vertical")
    tilt = g.angle_between_deg(c, u)
    b.angle("head_tilt_deg", tilt if g.dot(c, h) > 0 else -tilt)

    a = g.sub(b.point("apl_left"), b.point("apl_right"))
    g.unit(a, "atlas plane line (apl_left, apl_right)")
    s = _laterality_deg(a, c, left, "central skull line")
    if abs(s) > 90:
        b.warnings.append("apl-sides-reversed")
    b.angle("atlas_laterality_deg", s)

    lower = b.optional_pair("c7_mid", "c2_center")
    if lower is not None:
        lal = g.unit(g.sub(lower[1], lower[0]), "lower angle line (c7_mid, c2_center)")
        b.angle("lower_angle_deg", _laterality_deg(a, lal, left, "lower angle line"))

    b.length("csl_max_residual_mm", fit.max_residual)

    for arc, stem in (("condyle_arc", "condylar_circle"), ("axis_arc", "axis_circle")):
        pts = b.marks.arcs.get(arc)
        if pts is None:
            continue
        if len(pts) < MIN_ARC_POINTS:
            raise LandmarkError(f"{arc} needs at least {MIN_ARC_POINTS} points, got {len(pts)}")
        circle = g.fit_circle([b.mm(p) for p in pts])
        b.length(f"{stem}_radius_mm", circle.radius)
        b.length(f"{stem}_rms_mm", circle.rms)


def _vertex(b: _Builder) -> None:
    a = g.unit(
        g.sub(b.point("apl_left"), b.point("apl_right")), "atlas plane line (apl_left, apl_right)"
    )
    f = g.unit(
        g.sub(b.point("skull_anterior"), b.point("skull_posterior")),
        "skull line (skull_anterior, skull_posterior)",
    )
    p = g.perpendicular_toward(f, a, "atlas plane line against the skull line")
    b.angle("atlas_rotation_deg", math.degrees(math.atan2(g.dot(a, f), g.dot(a, p))))


def _lateral(b: _Builder) -> None:
    d = g.unit(
        g.sub(b.point("atlas_anterior_tubercle"), b.point("atlas_posterior_tubercle")),
        "atlas line (posterior → anterior tubercle)",
    )
    u = b.up()
    h = g.perpendicular_toward(u, d, "atlas line against the vertical")
    b.angle("atlas_plane_deg", math.degrees(math.atan2(g.dot(d, u), g.dot(d, h))), sided=False)


_KINDS = {"nasium": _nasium, "vertex": _vertex, "lateral": _lateral}


def analyse(marks: LandmarkSet, profile: Profile = GENERIC_ORTHOGONAL) -> Analysis:
    """Compute every construct of ``marks.view`` that ``profile`` reports.

    Raises :class:`LandmarkError` (missing point, too few pairs/arc points) or
    :class:`GeometryError` (coincident or collinear points); both are ``ValueError``. Unknown point
    names give a warning ``unknown-point:NAME`` rather than an error, so a clinic's extra marks do
    not block an analysis.
    """
    spec = profile.view(marks.view)
    for name in spec.required_points:
        if not marks.has(name):
            raise LandmarkError(f"missing point {name!r} for the {spec.name} view")
    algorithm = Algorithm(f"{profile.id}.{spec.name}", profile.version)
    builder = _Builder(marks, algorithm)
    known = set(spec.required_points) | set(spec.optional_points)
    for name in sorted([*marks.points, *marks.pairs, *marks.arcs]):
        if name not in known:
            builder.warnings.append(f"unknown-point:{name}")
    _KINDS[spec.kind](builder)
    reported = {c.name for c in spec.constructs}
    values = tuple(v for v in builder.values if v.name in reported)
    return Analysis(spec.name, algorithm, values, tuple(builder.warnings))


def quarter_deg(value_deg: float) -> float:
    """Round to the nearest ¼° (half away from zero), the step technique manuals report in
    (Gregory & Seeman 1980–81, ``[gregory-seeman-1981-quarter-degree]``; Woodfield et al. 2015).
    Display only: stored values keep 0.01°."""
    return math.copysign(math.floor(abs(value_deg) * 4 + 0.5) / 4, value_deg) + 0.0


def format_quarter_deg(value_deg: float) -> str:
    """``1.375 → "1½°"``, ``0.1 → "0°"``, ``2.75 → "2¾°"``: ¼° display with vulgar fractions."""
    q = quarter_deg(value_deg)
    whole, frac = divmod(abs(q), 1.0)
    glyph = {0.0: "", 0.25: "¼", 0.5: "½", 0.75: "¾"}[frac]
    sign = "−" if q < 0 else ""
    if whole == 0 and glyph:
        return f"{sign}{glyph}°"
    return f"{sign}{int(whole)}{glyph}°"


def analyse_dict(data: Mapping[str, Any], profile: Profile = GENERIC_ORTHOGONAL) -> Analysis:
    """Parse the JSON landmark form (``landmarks.landmarks_from_dict``) and analyse it."""
    from atlaschart.measure.radiograph.landmarks import landmarks_from_dict

    return analyse(landmarks_from_dict(data), profile)
