"""Plane geometry for radiograph landmarks: vectors, line and circle fits, signed angles.

Frame: every function here works in whatever 2-D frame its caller uses; the radiograph analysis
(``analysis.py``) calls them in millimetres with x to the image right and **y up** (image rows
negated), so counter-clockwise angles are positive. All angles are in degrees.

Sources: total least squares line fit = principal axis of the centred points (Pearson 1901; any
numerical-analysis text); circle fit = Kåsa algebraic fit refined by Gauss–Newton on the geometric
distance (Kåsa 1976; Chernov, *Circular and linear regression*, 2010, ch. 4-5;
``[kasa-1976-circle]`` in docs/sources.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]

# Points closer than this (in the caller's unit, mm or px) count as coincident.
COINCIDENT_TOL = 1e-9


class GeometryError(ValueError):
    """Landmarks that define no line, circle or direction (coincident or collinear points)."""


def _check_point(p: Point) -> None:
    if len(p) != 2 or not all(math.isfinite(v) for v in p):
        raise GeometryError(f"point must be two finite numbers, got {p!r}")


def sub(a: Point, b: Point) -> Point:
    """``a − b``."""
    return (a[0] - b[0], a[1] - b[1])


def dot(a: Point, b: Point) -> float:
    return a[0] * b[0] + a[1] * b[1]


def cross(a: Point, b: Point) -> float:
    """z component of ``a × b``: positive when ``b`` is counter-clockwise of ``a`` (y-up frame)."""
    return a[0] * b[1] - a[1] * b[0]


def norm(a: Point) -> float:
    return math.hypot(a[0], a[1])


def unit(a: Point, what: str = "vector") -> Point:
    """``a / |a|``; raises :class:`GeometryError` for a zero-length vector (coincident points)."""
    n = norm(a)
    if not math.isfinite(n) or n <= COINCIDENT_TOL:
        raise GeometryError(f"{what} has zero length (coincident points)")
    return (a[0] / n, a[1] / n)


def perpendicular_toward(d: Point, toward: Point, what: str = "reference") -> Point:
    """The unit vector perpendicular to unit ``d`` that points to the same side as ``toward``.

    Raises :class:`GeometryError` when ``toward`` is parallel to ``d`` (no side to choose).
    """
    p = (-d[1], d[0])
    s = dot(p, toward)
    if abs(s) <= COINCIDENT_TOL * max(1.0, norm(toward)):
        raise GeometryError(f"{what} is parallel to the line, so its side is undefined")
    return p if s > 0 else (-p[0], -p[1])


def angle_between_deg(a: Point, b: Point) -> float:
    """Unsigned angle between two vectors, in [0, 180] degrees (atan2 form, exact near 0)."""
    return math.degrees(math.atan2(abs(cross(a, b)), dot(a, b)))


def signed_angle_deg(a: Point, b: Point) -> float:
    """Signed angle that turns ``a`` onto ``b``, in (−180, 180] degrees, positive counter-clockwise
    in a y-up frame."""
    return math.degrees(math.atan2(cross(a, b), dot(a, b)))


def wrap90(angle_deg: float) -> float:
    """Map an angle between undirected lines to (−90, 90] degrees: a line has no direction."""
    a = math.fmod(angle_deg, 180.0)
    if a <= -90.0:
        a += 180.0
    elif a > 90.0:
        a -= 180.0
    return a


@dataclass(frozen=True)
class LineFit:
    """A total-least-squares line: passes through ``centroid`` with unit ``direction``.

    ``residuals`` are the perpendicular distances of the input points from the line, in the input
    unit, in input order; ``max_residual`` is the largest of them.
    """

    centroid: Point
    direction: Point
    residuals: tuple[float, ...]

    def __post_init__(self) -> None:
        if abs(norm(self.direction) - 1.0) > 1e-9:
            raise ValueError("direction must be a unit vector")

    @property
    def max_residual(self) -> float:
        return max(self.residuals)


def fit_line_tls(points: Sequence[Point]) -> LineFit:
    """Total least squares (orthogonal regression) line through ≥ 2 points.

    The direction is the principal eigenvector of the points' scatter matrix; its sign is arbitrary
    (callers orient it). Raises :class:`GeometryError` for fewer than 2 distinct points.
    """
    if len(points) < 2:
        raise GeometryError("a line needs at least 2 points")
    for p in points:
        _check_point(p)
    xy = np.asarray(points, dtype=np.float64)
    centroid = xy.mean(axis=0)
    centred = xy - centroid
    scatter = centred.T @ centred
    if float(np.trace(scatter)) <= COINCIDENT_TOL**2:
        raise GeometryError("all points coincide, so they define no line")
    _, eigvecs = np.linalg.eigh(scatter)  # ascending eigenvalues: last = principal
    d = eigvecs[:, 1]
    direction = unit((float(d[0]), float(d[1])), "line direction")
    normal = (-direction[1], direction[0])
    residuals = tuple(abs(float(c[0]) * normal[0] + float(c[1]) * normal[1]) for c in centred)
    return LineFit(
        centroid=(float(centroid[0]), float(centroid[1])),
        direction=direction,
        residuals=residuals,
    )


@dataclass(frozen=True)
class CircleFit:
    """A least-squares circle: centre, radius and RMS of the radial residuals (input unit)."""

    center: Point
    radius: float
    rms: float

    def __post_init__(self) -> None:
        if not (self.radius > 0 and math.isfinite(self.radius)):
            raise ValueError("radius must be positive and finite")
        if not (self.rms >= 0 and math.isfinite(self.rms)):
            raise ValueError("rms must be non-negative and finite")


def fit_circle(points: Sequence[Point], iterations: int = 50) -> CircleFit:
    """Least-squares circle through ≥ 3 points, minimising the sum of squared geometric distances.

    Starts from the Kåsa algebraic fit (solve ``x² + y² + D x + E y + F = 0`` by linear least
    squares) and refines centre and radius by Gauss–Newton on ``|P_i − C| − r``. Raises
    :class:`GeometryError` when the points are (nearly) collinear or too few.
    """
    if len(points) < 3:
        raise GeometryError("a circle needs at least 3 points")
    for p in points:
        _check_point(p)
    xy = np.asarray(points, dtype=np.float64)
    # Centre and scale first so the collinearity test and the solve are scale-free.
    origin = xy.mean(axis=0)
    scale = float(np.sqrt(((xy - origin) ** 2).sum(axis=1).mean()))
    if scale <= COINCIDENT_TOL:
        raise GeometryError("all points coincide, so they define no circle")
    q = (xy - origin) / scale
    a = np.column_stack([q[:, 0], q[:, 1], np.ones(len(q))])
    b = -(q[:, 0] ** 2 + q[:, 1] ** 2)
    # The smallest singular value of the centred points measures how far they are from a line.
    if np.linalg.svd(q, compute_uv=False)[-1] < 1e-6 * math.sqrt(len(q)):
        raise GeometryError("the points are collinear, so they define no circle")
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = -sol[0] / 2.0, -sol[1] / 2.0
    r2 = cx * cx + cy * cy - sol[2]
    if r2 <= 0:
        raise GeometryError("the points define no circle")
    c = np.array([cx, cy])
    r = math.sqrt(r2)
    for _ in range(iterations):
        diff = q - c
        dist = np.sqrt((diff**2).sum(axis=1))
        if np.any(dist < 1e-12):
            break
        resid = dist - r
        jac = np.column_stack([-diff[:, 0] / dist, -diff[:, 1] / dist, -np.ones(len(q))])
        step, *_ = np.linalg.lstsq(jac, -resid, rcond=None)
        c = c + step[:2]
        r = r + float(step[2])
        if float(np.abs(step).max()) < 1e-13:
            break
    dist = np.sqrt(((q - c) ** 2).sum(axis=1))
    rms = float(np.sqrt(((dist - r) ** 2).mean())) * scale
    center = c * scale + origin
    return CircleFit(center=(float(center[0]), float(center[1])), radius=abs(r) * scale, rms=rms)
