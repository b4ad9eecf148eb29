"""The measurement error of each construct of one analysis: examiner SD and landmark placement.

A value measured on one radiograph is uncertain for two reasons, combined here in quadrature as
independent standard deviations (1 SD, in the value's unit):

1. **Examiner variation**: the same examiner marking the same film twice does not place the points
   identically. The published figure is the median intra-examiner SD of atlas laterality in the
   upper cervical X-ray marking system, 0.45° (Rochester 1994, CRJ 3(1):23–31; 0.41° in the 1987
   study it repeats). It is applied to atlas rotation as well, by analogy (the same marking
   system; the paper calls rotation "acceptable" without a figure), exactly as the pre/post
   comparison applies one 1.2° threshold to both. Other constructs have no published examiner SD:
   they carry the placement part only, and ``examiner_sd`` is None. Clinics may configure their own
   figures (``examiner_sd`` argument).
2. **Placement quantisation** from the calibration: a point lies on a pixel grid whose step in the
   patient plane is ``spacing / M`` mm (``calibration.py``; px when uncalibrated). A coordinate
   rounded to that grid has SD ``s = step / √12`` (uniform rounding error); the larger of the row
   and column steps is used, so anisotropic pixels are not understated.

First-order propagation (small-angle, independent points), all in radians then degrees:

* a line through two points a length ``L`` apart: direction SD ``√2 · s / L``;
* the central skull line fitted through ``n`` pair midpoints (each the mean of two points, SD
  ``s/√2`` across the line): slope SD ``(s/√2) / √Σtᵢ²``, ``tᵢ`` the midpoints' positions along
  the line from their centroid (the standard error of a regression slope);
* an angle between two lines: the two direction SDs in quadrature;
* ``csl_max_residual_mm``: ``s/√2`` (one midpoint's SD across the line); a fitted circle's radius:
  ``s/√n`` for ``n`` arc points (radial SD of the mean); a fit's RMS has no error figure (it is
  itself a spread).

Nothing here changes the values of ``analysis.py``; this module only adds error figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from atlaschart.measure.radiograph.analysis import Analysis
from atlaschart.measure.radiograph.geometry import Point
from atlaschart.measure.radiograph.landmarks import LandmarkSet

#: Published examiner SDs (degrees), by construct; see the module docstring for the source.
DEFAULT_EXAMINER_SD_DEG: Mapping[str, float] = {
    "atlas_laterality_deg": 0.45,
    "atlas_rotation_deg": 0.45,
}

#: Stable codes naming where an examiner SD came from (rendered through the web catalogue).
SOURCE_PUBLISHED = "published"  # Rochester 1994, laterality
SOURCE_BY_ANALOGY = "published-by-analogy"  # the laterality figure applied to rotation
SOURCE_CLINIC = "clinic"  # a figure the clinic configured
_PUBLISHED_SOURCE = {
    "atlas_laterality_deg": SOURCE_PUBLISHED,
    "atlas_rotation_deg": SOURCE_BY_ANALOGY,
}

_SQRT12 = math.sqrt(12.0)


@dataclass(frozen=True)
class ConstructError:
    """One construct's error (1 SD, ``unit`` as its value): the examiner part (None: no published
    figure), the placement part from the calibration, and both combined (``total``)."""

    name: str
    unit: str
    examiner_sd: float | None
    examiner_source: str | None
    placement_sd: float
    total_sd: float

    def to_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "examiner_sd": self.examiner_sd,
            "examiner_source": self.examiner_source,
            "placement_sd": self.placement_sd,
            "total_sd": self.total_sd,
        }


def _r2(x: float) -> float:
    return round(x, 2) + 0.0


class _Placement:
    """Direction SDs (radians) of the lines each construct is made of, in the patient plane."""

    def __init__(self, marks: LandmarkSet) -> None:
        self.marks = marks
        cal = marks.calibration
        step = max(cal.row_spacing_mm, cal.col_spacing_mm) / cal.magnification
        self.s = step / _SQRT12

    def mm(self, p: Point) -> Point:
        return self.marks.calibration.to_mm(p[0], p[1])

    def two_point(self, a: str, b: str) -> float | None:
        if a not in self.marks.points or b not in self.marks.points:
            return None
        pa, pb = self.mm(self.marks.points[a]), self.mm(self.marks.points[b])
        length = math.hypot(pb[0] - pa[0], pb[1] - pa[1])
        return math.sqrt(2.0) * self.s / length if length > 0 else None

    def skull_line(self) -> float | None:
        pairs = self.marks.pairs.get("skull_pairs") or ()
        mids = [
            ((self.mm(r)[0] + self.mm(lf)[0]) / 2, (self.mm(r)[1] + self.mm(lf)[1]) / 2)
            for r, lf in pairs
        ]
        if len(mids) < 2:
            return None
        cx = sum(m[0] for m in mids) / len(mids)
        cy = sum(m[1] for m in mids) / len(mids)
        # Spread along the fitted direction = the larger principal moment of the midpoints.
        sxx = sum((m[0] - cx) ** 2 for m in mids)
        syy = sum((m[1] - cy) ** 2 for m in mids)
        sxy = sum((m[0] - cx) * (m[1] - cy) for m in mids)
        spread = (sxx + syy) / 2 + math.sqrt(((sxx - syy) / 2) ** 2 + sxy**2)
        return (self.s / math.sqrt(2.0)) / math.sqrt(spread) if spread > 0 else None


def _deg(*radians: float | None) -> float | None:
    if any(r is None for r in radians):
        return None
    return math.degrees(math.sqrt(sum(r * r for r in radians if r is not None)))


def _placement_sd(p: _Placement, name: str) -> float | None:
    plumb = p.two_point("plumb_top", "plumb_bottom") or 0.0  # image vertical: exact by definition
    if name == "head_tilt_deg":
        return _deg(p.skull_line(), plumb)
    if name == "atlas_laterality_deg":
        return _deg(p.two_point("apl_left", "apl_right"), p.skull_line())
    if name == "lower_angle_deg":
        return _deg(p.two_point("apl_left", "apl_right"), p.two_point("c7_mid", "c2_center"))
    if name == "atlas_rotation_deg":
        return _deg(
            p.two_point("apl_left", "apl_right"), p.two_point("skull_anterior", "skull_posterior")
        )
    if name == "atlas_plane_deg":
        return _deg(p.two_point("atlas_anterior_tubercle", "atlas_posterior_tubercle"), plumb)
    if name == "csl_max_residual_mm":
        return p.s / math.sqrt(2.0)
    for arc, stem in (("condyle_arc", "condylar_circle"), ("axis_arc", "axis_circle")):
        if name == f"{stem}_radius_mm":
            n = len(p.marks.arcs.get(arc) or ())
            return p.s / math.sqrt(n) if n else None
    return None  # a fit's RMS, or a construct without a propagation rule


def construct_errors(
    marks: LandmarkSet,
    analysis: Analysis,
    examiner_sd_deg: Mapping[str, float] | None = None,
) -> dict[str, ConstructError]:
    """The error of every value of ``analysis`` (made from ``marks``) that has one.

    ``examiner_sd_deg`` replaces or extends :data:`DEFAULT_EXAMINER_SD_DEG` (construct name →
    non-negative SD in degrees; a clinic's own reliability figure). Raises ValueError for a
    negative or non-finite SD. Values rounded to 0.01 like the values themselves."""
    sds = dict(DEFAULT_EXAMINER_SD_DEG)
    sources = dict(_PUBLISHED_SOURCE)
    for name, sd in (examiner_sd_deg or {}).items():
        if not (isinstance(sd, int | float) and math.isfinite(sd) and sd >= 0):
            raise ValueError(f"examiner SD for {name} must be a non-negative number")
        if sds.get(name) != sd:
            sds[name] = float(sd)
            sources[name] = SOURCE_CLINIC
    placement = _Placement(marks)
    out: dict[str, ConstructError] = {}
    for value in analysis.values:
        place = _placement_sd(placement, value.name)
        if place is None:
            continue
        examiner = sds.get(value.name) if value.unit == "deg" else None
        total = math.hypot(place, examiner or 0.0)
        out[value.name] = ConstructError(
            name=value.name,
            unit=value.unit,
            examiner_sd=examiner,
            examiner_source=sources.get(value.name) if examiner is not None else None,
            placement_sd=_r2(place),
            total_sd=_r2(total),
        )
    return out
