"""Posture metrics from photo landmarks (algorithm ``posture.photo_metrics``).

Frame: image pixels, x right, y down, of the upright photo (see ``landmarks``). The camera is
assumed level: "horizontal" and "vertical" are the image axes. docs/posture.md defines every metric;
the definitions follow the photogrammetric angles of Singla et al. 2017
(``[singla-2017-photogrammetry]`` in docs/sources.md).

Sign conventions
----------------
* Frontal line angles (anterior and posterior views): the angle of the line through a
  left/right pair against the horizontal, **positive when the patient's LEFT point is higher**.
  On an anterior photo rotated counter-clockwise (as displayed) by θ, every line angle grows by
  θ; on a posterior photo it shrinks by θ; a mirrored photo negates it.
* Frontal shifts: positive toward the patient's left.
* Lateral views: "forward" is the direction the patient faces (image -x for a ``left`` view,
  +x for a ``right`` view); angles and offsets are positive forward / up.

Quality
-------
A model point with visibility below ``PostureConfig.min_visibility`` (0.8), a point
outside the image, or a missing point makes the metric ``None`` with a reason naming the point.
Clinician points are always used. Each reason is also given as a ``Reason`` (a stable ``code``
with the points and numbers it names) so that the pages can say it in the user's language; the
English ``Metric.reason`` text is the CLI's stable output and is built from the same ``Reason``.

Left and right
--------------
Before any frontal metric, the model points' left/right is checked against the declared view
(``sides.check_sides``). A photo whose face contradicts the view (``sides.wrong_view``, naming
the view it looks like) or whose shoulders and hips disagree on the order (``sides.unclear``)
gives no metric at all; a crossed pair gives ``geometry.not_left_of``: never a number measured on
swapped points. Re-labelling happens once, where the landmarks are
made (``imaging.pose``), and is recorded there.

Uncertainty
-----------
Each value carries a standard uncertainty (1 SD, in the metric's unit) **of its difference from
the true value on the photo**, propagated to first order from the landmarks' position
uncertainties. A model point's uncertainty combines two terms in quadrature:

* the spread of the model's passes over this photo (``Landmark.uncertainty_px``, or the
  configured default): repeatability;
* the model's own error against points people marked (``PostureConfig.model_error_torso_fraction``
  times the torso length in pixels): accuracy. The passes share it, so averaging them does not
  shrink it.

It is ``None`` when any point's uncertainty is unknown. Not covered: the body under clothing,
a camera that is not level, and perspective; the MDC of a change comes from repeated shots
(``change``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from atlaschart.measure.posture.landmarks import (
    CLINICIAN_LANDMARK_NAMES,
    Calibration,
    Landmark,
    LandmarkSet,
    LandmarkSource,
    View,
)
from atlaschart.measure.posture.sides import SideVerdict, check_sides
from atlaschart.measure.provenance import Algorithm

#: Bumped whenever the same landmarks could give different numbers.
ALGORITHM = Algorithm("posture.photo_metrics", "2")

UNITS = ("deg", "pct", "mm")

FRONTAL_METRICS: tuple[str, ...] = (
    "head_tilt_ears_deg",
    "head_tilt_eyes_deg",
    "shoulder_tilt_deg",
    "hip_tilt_deg",
    "knee_tilt_deg",
    "pelvic_tilt_deg",
    "lateral_head_shift_pct",
    "lateral_head_shift_mm",
    "trunk_shift_pct",
    "trunk_shift_mm",
)

LATERAL_METRICS: tuple[str, ...] = (
    "ear_shoulder_angle_deg",
    "craniovertebral_angle_deg",
    "ear_ankle_offset_pct",
    "ear_ankle_offset_mm",
    "shoulder_ankle_offset_pct",
    "shoulder_ankle_offset_mm",
    "hip_ankle_offset_pct",
    "hip_ankle_offset_mm",
)


def metric_names(view: View) -> tuple[str, ...]:
    """The metrics computed for ``view``, in output order."""
    return FRONTAL_METRICS if view.is_frontal else LATERAL_METRICS


def unit_of(name: str) -> str:
    """The unit encoded in a metric name's suffix: ``deg``, ``pct`` or ``mm``."""
    unit = name.rsplit("_", 1)[-1]
    if unit not in UNITS:
        raise ValueError(f"metric name {name!r} has no unit suffix")
    return unit


# Reason codes (docs/posture.md "Reason codes"). Stable: the pages translate by code.
POINT_NOT_FOUND = "point.not_found"
POINT_NOT_PLACED = "point.not_placed"
POINT_OUTSIDE_IMAGE = "point.outside_image"
POINT_LOW_VISIBILITY = "point.low_visibility"
CALIBRATION_MISSING = "calibration.missing"
GEOMETRY_NOT_LEFT_OF = "geometry.not_left_of"
GEOMETRY_NOT_BELOW = "geometry.not_below"
CHANGE_NO_BEFORE_VALUE = "change.no_before_value"
CHANGE_NO_AFTER_VALUE = "change.no_after_value"
CHANGE_NO_MDC = "change.no_mdc"
SHOTS_PARTIAL = "shots.partial"
SIDES_WRONG_VIEW = "sides.wrong_view"
SIDES_UNCLEAR = "sides.unclear"


@dataclass(frozen=True)
class _ReasonShape:
    points: int
    values: int
    view: bool = False
    detail: bool = False


_REASON_SHAPES: Mapping[str, _ReasonShape] = {
    POINT_NOT_FOUND: _ReasonShape(1, 0),
    POINT_NOT_PLACED: _ReasonShape(1, 0),
    POINT_OUTSIDE_IMAGE: _ReasonShape(1, 0),
    POINT_LOW_VISIBILITY: _ReasonShape(1, 2),
    CALIBRATION_MISSING: _ReasonShape(0, 0),
    GEOMETRY_NOT_LEFT_OF: _ReasonShape(2, 0, view=True),
    GEOMETRY_NOT_BELOW: _ReasonShape(2, 0),
    CHANGE_NO_BEFORE_VALUE: _ReasonShape(0, 0, detail=True),
    CHANGE_NO_AFTER_VALUE: _ReasonShape(0, 0, detail=True),
    CHANGE_NO_MDC: _ReasonShape(0, 0),
    SHOTS_PARTIAL: _ReasonShape(0, 2),
    SIDES_WRONG_VIEW: _ReasonShape(0, 0, view=True),
    SIDES_UNCLEAR: _ReasonShape(0, 0),
}

#: Every code a ``Reason`` may carry.
REASON_CODES: frozenset[str] = frozenset(_REASON_SHAPES)


@dataclass(frozen=True)
class Reason:
    """Why a value is missing, in a form a page can translate (``code``) as well as in English.

    ``points`` are landmark names (patient's left/right), ``values`` plain numbers, ``view`` the
    view a geometry check was made for, and ``detail`` the reasons behind this one (a change
    without a value carries the reasons of the missing metric). Which of these a code uses is
    fixed per code; docs/posture.md lists them:

    * ``point.not_found``, ``point.not_placed``, ``point.outside_image``: ``points=(name,)``.
    * ``point.low_visibility``: ``points=(name,)``, ``values=(visibility, min_visibility)``.
    * ``calibration.missing``, ``change.no_mdc``: nothing.
    * ``geometry.not_left_of``: ``points=(left, right)``, ``view``.
    * ``geometry.not_below``: ``points=(lower, upper)``.
    * ``change.no_before_value``, ``change.no_after_value``: ``detail``.
    * ``shots.partial`` (a note on a value combined from some shots): ``values=(used, taken)``.
    * ``sides.wrong_view``: ``view`` is the view the photo looks like; ``sides.unclear``: nothing.

    >>> Reason(POINT_LOW_VISIBILITY, ("left_hip",), (0.22, 0.8)).english
    'left_hip visibility 0.22 is below 0.80'
    """

    code: str
    points: tuple[str, ...] = ()
    values: tuple[float, ...] = ()
    view: View | None = None
    detail: tuple[Reason, ...] = ()

    def __post_init__(self) -> None:
        shape = _REASON_SHAPES.get(self.code)
        if shape is None:
            raise ValueError(f"unknown reason code {self.code!r}")
        if len(self.points) != shape.points or not all(
            isinstance(p, str) and p for p in self.points
        ):
            raise ValueError(f"{self.code}: needs {shape.points} point name(s)")
        if len(self.values) != shape.values or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in self.values
        ):
            raise ValueError(f"{self.code}: needs {shape.values} finite number(s)")
        if (self.view is not None) != shape.view:
            raise ValueError(f"{self.code}: a view is {'required' if shape.view else 'not used'}")
        if bool(self.detail) != shape.detail:
            raise ValueError(f"{self.code}: detail is {'required' if shape.detail else 'not used'}")

    @property
    def english(self) -> str:
        """The English text: exactly the ``reason`` strings of the CLI's JSON (docs/cli.md)."""
        p, v = self.points, self.values
        if self.code == POINT_NOT_FOUND:
            return f"{p[0]} was not found"
        if self.code == POINT_NOT_PLACED:
            return f"{p[0]} was not placed (a clinician places this point)"
        if self.code == POINT_OUTSIDE_IMAGE:
            return f"{p[0]} is outside the image"
        if self.code == POINT_LOW_VISIBILITY:
            return f"{p[0]} visibility {v[0]:.2f} is below {v[1]:.2f}"
        if self.code == CALIBRATION_MISSING:
            return "no calibration: mm values need a scale"
        if self.code == GEOMETRY_NOT_LEFT_OF:
            view = self.view.value if self.view is not None else ""
            return (
                f"{p[0]} is not on the patient's left of {p[1]} in an {view} view: "
                "check the view or the point labels"
            )
        if self.code == GEOMETRY_NOT_BELOW:
            return f"{p[0]} is not below {p[1]}: check the points"
        if self.code in (CHANGE_NO_BEFORE_VALUE, CHANGE_NO_AFTER_VALUE):
            side = "before" if self.code == CHANGE_NO_BEFORE_VALUE else "after"
            return f"no {side} value: {join_english(self.detail)}"
        if self.code == SHOTS_PARTIAL:
            return f"combined from {v[0]:.0f} of {v[1]:.0f} shots"
        if self.code == SIDES_WRONG_VIEW:
            looks = "a back view" if self.view is View.POSTERIOR else "a front view"
            return f"this looks like {looks}; choose {self.view.value if self.view else ''}"
        if self.code == SIDES_UNCLEAR:
            return (
                "shoulders and hips have left and right in opposite orders: place the shoulder "
                "and hip points by hand or check the view"
            )
        return "no MDC configured and the uncertainty is unknown"  # CHANGE_NO_MDC

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``reasons_from_json`` reads it back)."""
        data: dict[str, Any] = {"code": self.code}
        if self.points:
            data["points"] = list(self.points)
        if self.values:
            data["values"] = list(self.values)
        if self.view is not None:
            data["view"] = self.view.value
        if self.detail:
            data["detail"] = [d.to_json() for d in self.detail]
        return data

    @classmethod
    def from_json(cls, data: object) -> Reason:
        """The inverse of ``to_json``; ``ValueError`` when ``data`` is not a valid reason."""
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            raise ValueError("a reason must be an object with a code")
        view = data.get("view")
        return cls(
            data["code"],
            tuple(_json_list(data, "points")),
            tuple(_json_list(data, "values")),
            View(view) if view is not None else None,  # ValueError when unknown
            tuple(cls.from_json(d) for d in _json_list(data, "detail")),
        )


def _json_list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"reason {key} must be a list")
    return value


def join_english(reasons: Sequence[Reason]) -> str:
    """The English text of several reasons, as ``Metric.reason`` joins them (``"; "``)."""
    return "; ".join(r.english for r in reasons)


def reasons_from_json(data: object) -> tuple[Reason, ...]:
    """Reasons stored with ``Reason.to_json``; ``()`` when anything is malformed or unknown.

    Lenient on purpose: a cache written by another version then falls back to the English text.
    """
    if not isinstance(data, list):
        return ()
    try:
        return tuple(Reason.from_json(d) for d in data)
    except ValueError:
        return ()


@dataclass(frozen=True)
class Metric:
    """One posture metric.

    ``value`` and ``uncertainty`` (standard uncertainty, 1 SD) are in ``unit``. ``value`` is
    ``None`` exactly when it could not be measured, and then ``reason`` says why (naming the
    point at fault). ``reason`` may also carry a note on a valid value. ``points`` lists the
    landmark names the value was computed from. ``reasons`` is the same explanation in
    structured form (empty when only the text is known, e.g. a note or an old cache); given
    ``reasons`` without ``reason``, the text is their English joined by ``"; "``.
    """

    name: str
    value: float | None
    unit: str
    uncertainty: float | None = None
    reason: str | None = None
    points: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()

    def __post_init__(self) -> None:
        if self.reasons and self.reason is None:
            object.__setattr__(self, "reason", join_english(self.reasons))
        if unit_of(self.name) != self.unit:
            raise ValueError(f"{self.name}: unit must be {unit_of(self.name)!r}")
        if self.value is None and not self.reason:
            raise ValueError(f"{self.name}: a missing value needs a reason")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"{self.name}: value must be finite")
        if self.uncertainty is not None and not (
            math.isfinite(self.uncertainty) and self.uncertainty >= 0
        ):
            raise ValueError(f"{self.name}: uncertainty must be a finite number >= 0")
        if self.value is None and self.uncertainty is not None:
            raise ValueError(f"{self.name}: a missing value has no uncertainty")


@dataclass(frozen=True)
class PostureResult:
    """All metrics of one view, with the algorithm that made them."""

    view: View
    algorithm: Algorithm
    metrics: tuple[Metric, ...]

    def __post_init__(self) -> None:
        names = tuple(m.name for m in self.metrics)
        if names != metric_names(self.view):
            raise ValueError(f"metrics must be exactly {metric_names(self.view)} in order")

    def get(self, name: str) -> Metric:
        """The metric called ``name`` (``KeyError`` if this view has no such metric)."""
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)


@dataclass(frozen=True)
class PostureConfig:
    """Settings of the metric computation; each default names its source.

    * ``min_visibility`` 0.8: our rotation check of the model (``[atlaschart-pose-precision]``,
      docs/sources.md): hips outside the frame were reported with visibility 0.01–0.22.
    * ``model_point_uncertainty_px``: used for a model point whose own ``uncertainty_px`` is
      unknown; ``None`` (unknown) by default because it scales with the person's size in pixels.
    * ``clinician_point_uncertainty_px`` 2.0 px **[unverified]**: a guess at hand-placement
      repeatability on a screen; configure from the clinic's repeated placements.
    * ``model_error_torso_fraction`` 0.104 **[derived]**: the per-axis SD of a BlazePose Full
      landmark against points people annotated, in torso lengths. Bazarevsky et al. 2020 (BlazePose,
      Table 1) report PCK@0.2 = 84.1 % (AR dataset): 84.1 % of points lie within 0.2 torso
      lengths of the annotation. For an isotropic Gaussian error of SD s per axis the radial
      error is Rayleigh, P(r < 0.2) = 1 - exp(-0.2^2 / (2 s^2)) = 0.841, so
      s = 0.2 / sqrt(2 ln(1 / 0.159)) = 0.104. Their poses are more varied than a standing
      patient, and both points of a line share part of the error, so this is wide for line
      angles of upright people; a clinic with its own validation sets its own. ``None`` leaves
      the pass spread alone (repeatability only, as before algorithm 2).
    * ``torso_from_shoulder_width`` 1.3 **[derived]**: the torso length (shoulder midpoint to hip
      midpoint) of an adult is about 1.3 shoulder-joint widths (about 50 cm against 38 cm); used
      only when no hip is usable (a half-body photo).
    """

    min_visibility: float = 0.8
    model_point_uncertainty_px: float | None = None
    clinician_point_uncertainty_px: float | None = 2.0
    model_error_torso_fraction: float | None = 0.104
    torso_from_shoulder_width: float = 1.3

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_visibility <= 1.0:
            raise ValueError("min_visibility must be within 0..1")
        for v in (
            self.model_point_uncertainty_px,
            self.clinician_point_uncertainty_px,
            self.model_error_torso_fraction,
        ):
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise ValueError("point uncertainties must be finite numbers >= 0")
        if not (
            math.isfinite(self.torso_from_shoulder_width) and self.torso_from_shoulder_width > 0
        ):
            raise ValueError("torso_from_shoulder_width must be a positive number")

    @property
    def uncertainty_covers(self) -> tuple[str, ...]:
        """What the ± of a model-point metric covers (stable tokens; the CLI prints them)."""
        if self.model_error_torso_fraction is None:
            return ("pass_spread",)
        return ("pass_spread", "model_error")


DEFAULT_CONFIG = PostureConfig()

Point = tuple[float, float]
_Formula = Callable[[Sequence[Point]], float]


class _NotMeasurable(Exception):
    """A formula cannot give a value for these points (the message is the reason)."""


@dataclass(frozen=True)
class _Spec:
    name: str
    # Alternative point lists, best first; the first whose points are all present is used.
    alternatives: tuple[tuple[str, ...], ...]
    formula: _Formula
    needs_scale: bool = False


def _line_angle_deg(side: float) -> _Formula:
    """Left/right line vs horizontal, positive when the patient's left point is higher.

    ``side`` is +1 when the patient's left is on the image's right (anterior), -1 otherwise.
    """

    def f(p: Sequence[Point]) -> float:
        (lx, ly), (rx, ry) = p[0], p[1]
        across = side * (lx - rx)
        if across <= 0:
            raise _NotMeasurable("crossed")
        return math.degrees(math.atan2(ry - ly, across))

    return f


def _mid_x(a: Point, b: Point) -> float:
    return (a[0] + b[0]) / 2.0


def _shift(side: float, scale: float | None) -> _Formula:
    """Midpoint of pair 1 minus midpoint of pair 2 along x, toward the patient's left.

    Points: pair 1 left, pair 1 right, pair 2 left, pair 2 right. In % of pair 2's width
    (Euclidean), or in mm when ``scale`` (mm/px) is given.
    """

    def f(p: Sequence[Point]) -> float:
        offset_px = side * (_mid_x(p[0], p[1]) - _mid_x(p[2], p[3]))
        if scale is not None:
            return offset_px * scale
        width = math.dist(p[2], p[3])
        if width <= 0:
            raise _NotMeasurable("zero width")
        return 100.0 * offset_px / width

    return f


def _ear_shoulder_angle(forward: float) -> _Formula:
    def f(p: Sequence[Point]) -> float:
        (ex, ey), (sx, sy) = p[0], p[1]
        return math.degrees(math.atan2(forward * (ex - sx), sy - ey))

    return f


def _cva(forward: float) -> _Formula:
    def f(p: Sequence[Point]) -> float:
        (tx, ty), (cx, cy) = p[0], p[1]
        return math.degrees(math.atan2(cy - ty, forward * (tx - cx)))

    return f


def _ankle_offset_mm(forward: float, scale: float | None) -> _Formula:
    """Points: part, ankle. Forward offset of part over the ankle in mm."""

    def f(p: Sequence[Point]) -> float:
        if scale is None:  # guarded by _Spec.needs_scale
            raise _NotMeasurable("no scale")
        return forward * (p[0][0] - p[1][0]) * scale

    return f


def _ankle_offset_pct(forward: float) -> _Formula:
    """Points: part, ankle, shoulder. Forward offset of part over the ankle, % of the vertical
    ankle-to-shoulder distance."""

    def f(p: Sequence[Point]) -> float:
        (px, _), (ax, ay), (_, sy) = p[0], p[1], p[2]
        offset_px = forward * (px - ax)
        height = ay - sy
        if height <= 0:
            raise _NotMeasurable("ankle above shoulder")
        return 100.0 * offset_px / height

    return f


def _pairs(*options: tuple[str, str]) -> tuple[tuple[str, ...], ...]:
    return tuple(options)


def _frontal_specs(view: View, scale: float | None) -> tuple[_Spec, ...]:
    side = 1.0 if view is View.ANTERIOR else -1.0
    line = _line_angle_deg(side)
    shoulders = _pairs(("left_acromion", "right_acromion"), ("left_shoulder", "right_shoulder"))
    pelvis = ("left_asis", "right_asis") if view is View.ANTERIOR else ("left_psis", "right_psis")
    head_shift = tuple(("left_eye", "right_eye", *s) for s in shoulders)
    trunk = tuple((*s, "left_hip", "right_hip") for s in shoulders)
    return (
        _Spec("head_tilt_ears_deg", (("left_ear", "right_ear"),), line),
        _Spec("head_tilt_eyes_deg", (("left_eye", "right_eye"),), line),
        _Spec("shoulder_tilt_deg", shoulders, line),
        _Spec("hip_tilt_deg", (("left_hip", "right_hip"),), line),
        _Spec("knee_tilt_deg", (("left_knee", "right_knee"),), line),
        _Spec("pelvic_tilt_deg", (pelvis,), line),
        _Spec("lateral_head_shift_pct", head_shift, _shift(side, None)),
        _Spec("lateral_head_shift_mm", head_shift, _shift(side, scale), needs_scale=True),
        _Spec("trunk_shift_pct", trunk, _shift(side, None)),
        _Spec("trunk_shift_mm", trunk, _shift(side, scale), needs_scale=True),
    )


def _lateral_specs(view: View, scale: float | None) -> tuple[_Spec, ...]:
    forward = -1.0 if view is View.LEFT else 1.0
    s = view.value  # camera-facing side: the far side is hidden (``[atlaschart-pose-precision]``)
    ears = (f"{s}_tragus", f"{s}_ear")
    shoulders = (f"{s}_acromion", f"{s}_shoulder")
    ankle = f"{s}_ankle"
    ear_sh = tuple(product(ears, shoulders))
    return (
        _Spec("ear_shoulder_angle_deg", ear_sh, _ear_shoulder_angle(forward)),
        _Spec("craniovertebral_angle_deg", tuple((e, "c7_spinous") for e in ears), _cva(forward)),
        _Spec(
            "ear_ankle_offset_pct",
            tuple((e, ankle, sh) for e, sh in ear_sh),
            _ankle_offset_pct(forward),
        ),
        _Spec(
            "ear_ankle_offset_mm",
            tuple((e, ankle) for e in ears),
            _ankle_offset_mm(forward, scale),
            needs_scale=True,
        ),
        _Spec(
            "shoulder_ankle_offset_pct",
            tuple((sh, ankle, sh) for sh in shoulders),
            _ankle_offset_pct(forward),
        ),
        _Spec(
            "shoulder_ankle_offset_mm",
            tuple((sh, ankle) for sh in shoulders),
            _ankle_offset_mm(forward, scale),
            needs_scale=True,
        ),
        _Spec(
            "hip_ankle_offset_pct",
            tuple((f"{s}_hip", ankle, sh) for sh in shoulders),
            _ankle_offset_pct(forward),
        ),
        _Spec(
            "hip_ankle_offset_mm",
            ((f"{s}_hip", ankle),),
            _ankle_offset_mm(forward, scale),
            needs_scale=True,
        ),
    )


def _not_found(name: str) -> Reason:
    code = POINT_NOT_PLACED if name in CLINICIAN_LANDMARK_NAMES else POINT_NOT_FOUND
    return Reason(code, (name,))


def _unusable(lm: Landmark, points: LandmarkSet, config: PostureConfig) -> Reason | None:
    """Why ``lm`` may not be used, or ``None`` when it may."""
    if not (0.0 <= lm.x_px <= points.width_px and 0.0 <= lm.y_px <= points.height_px):
        return Reason(POINT_OUTSIDE_IMAGE, (lm.name,))
    if lm.source is LandmarkSource.MODEL and lm.visibility < config.min_visibility:
        return Reason(POINT_LOW_VISIBILITY, (lm.name,), (lm.visibility, config.min_visibility))
    return None


def _point_sigma(lm: Landmark, config: PostureConfig, torso_px: float | None) -> float | None:
    """A point's standard uncertainty in px (see "Uncertainty" above)."""
    if lm.source is LandmarkSource.CLINICIAN:
        if lm.uncertainty_px is not None:
            return lm.uncertainty_px
        return config.clinician_point_uncertainty_px
    spread = lm.uncertainty_px
    if spread is None:
        spread = config.model_point_uncertainty_px
    if spread is None or config.model_error_torso_fraction is None:
        return spread
    if torso_px is None:
        return None  # the model error has no scale: unknown, not small
    return math.hypot(spread, config.model_error_torso_fraction * torso_px)


def torso_length_px(points: LandmarkSet, config: PostureConfig = DEFAULT_CONFIG) -> float | None:
    """The torso length in pixels: the scale of the model-error term.

    Frontal views: shoulder midpoint to hip midpoint; without usable hips,
    ``torso_from_shoulder_width`` times the shoulder width. Lateral views: camera-side shoulder
    to hip. Usable = present, inside the image and (model points) visible enough. ``None`` when
    neither can be measured.
    """

    def usable(name: str) -> Landmark | None:
        lm = points.get(name)
        if lm is None or _unusable(lm, points, config) is not None:
            return None
        return lm

    if not points.view.is_frontal:
        s = points.view.value
        shoulder, hip = usable(f"{s}_shoulder"), usable(f"{s}_hip")
        if shoulder is None or hip is None:
            return None
        return math.dist((shoulder.x_px, shoulder.y_px), (hip.x_px, hip.y_px)) or None
    ls, rs = usable("left_shoulder"), usable("right_shoulder")
    if ls is None or rs is None:
        return None
    lh, rh = usable("left_hip"), usable("right_hip")
    if lh is not None and rh is not None:
        mid_shoulder = ((ls.x_px + rs.x_px) / 2, (ls.y_px + rs.y_px) / 2)
        mid_hip = ((lh.x_px + rh.x_px) / 2, (lh.y_px + rh.y_px) / 2)
        length = math.dist(mid_shoulder, mid_hip)
        if length > 0:
            return length
    width = math.dist((ls.x_px, ls.y_px), (rs.x_px, rs.y_px))
    return config.torso_from_shoulder_width * width if width > 0 else None


def _propagate(formula: _Formula, pts: list[Point], sigmas: list[float]) -> float:
    """First-order propagation: sqrt(sum over points and axes of (df/dp * sigma)^2).

    Derivatives by central differences (the formulas are smooth where they are defined).
    """
    h = 1e-3
    total = 0.0
    for i, sigma in enumerate(sigmas):
        if sigma == 0:
            continue
        for axis in (0, 1):
            hi, lo = list(pts), list(pts)
            x, y = pts[i]
            hi[i] = (x + h, y) if axis == 0 else (x, y + h)
            lo[i] = (x - h, y) if axis == 0 else (x, y - h)
            derivative = (formula(hi) - formula(lo)) / (2 * h)
            total += (derivative * sigma) ** 2
    return math.sqrt(total)


def _measure(
    spec: _Spec,
    points: LandmarkSet,
    scale: float | None,
    config: PostureConfig,
    torso_px: float | None,
) -> Metric:
    unit = unit_of(spec.name)
    if spec.needs_scale and scale is None:
        return Metric(spec.name, None, unit, reasons=(Reason(CALIBRATION_MISSING),))
    chosen = next(
        (alt for alt in spec.alternatives if all(points.get(n) for n in alt)),
        None,
    )
    if chosen is None:
        # Name what is missing from the last alternative: the one built on model points.
        missing = [n for n in spec.alternatives[-1] if points.get(n) is None]
        return Metric(spec.name, None, unit, reasons=tuple(_not_found(n) for n in missing))
    landmarks = [points.get(n) for n in chosen]
    used = [lm for lm in landmarks if lm is not None]
    problems = [p for p in (_unusable(lm, points, config) for lm in used) if p is not None]
    if problems:
        return Metric(spec.name, None, unit, points=chosen, reasons=tuple(problems))
    pts = [(lm.x_px, lm.y_px) for lm in used]
    try:
        value = spec.formula(pts)
    except _NotMeasurable:
        return Metric(
            spec.name, None, unit, points=chosen, reasons=(_geometry_reason(chosen, points.view),)
        )
    sigmas = [_point_sigma(lm, config, torso_px) for lm in used]
    uncertainty = None
    if all(s is not None for s in sigmas):
        try:
            uncertainty = _propagate(spec.formula, pts, [s for s in sigmas if s is not None])
        except _NotMeasurable:  # within a thousandth of a pixel of degenerate
            uncertainty = None
    return Metric(spec.name, value, unit, uncertainty=uncertainty, points=chosen)


def _geometry_reason(chosen: tuple[str, ...], view: View) -> Reason:
    if view.is_frontal:
        return Reason(GEOMETRY_NOT_LEFT_OF, (chosen[0], chosen[1]), view=view)
    return Reason(GEOMETRY_NOT_BELOW, (chosen[1], chosen[-1]))


def compute_metrics(
    points: LandmarkSet,
    *,
    calibration: Calibration | None = None,
    config: PostureConfig = DEFAULT_CONFIG,
) -> PostureResult:
    """Compute every metric of ``points.view`` from landmarks.

    Parameters
    ----------
    points
        Landmarks in image pixels (x right, y down), patient's left/right names.
    calibration
        Optional two-point scale; without it every ``*_mm`` metric is ``None``.
    config
        Visibility threshold and default point uncertainties.

    Returns
    -------
    PostureResult
        One ``Metric`` per name of ``metric_names(view)``, tagged with ``ALGORITHM``.

    Examples
    --------
    Anterior view, patient's left shoulder (image right) 10 px higher over 100 px:
    atan(10/100) = 5.71°.

    >>> from atlaschart.measure.posture.landmarks import Landmark, LandmarkSet, View
    >>> s = LandmarkSet(View.ANTERIOR, 400, 400, (
    ...     Landmark("left_shoulder", 250, 190), Landmark("right_shoulder", 150, 200)))
    >>> round(compute_metrics(s).get("shoulder_tilt_deg").value, 2)
    5.71
    """
    scale = calibration.mm_per_px if calibration is not None else None
    sides = check_sides(points, min_visibility=config.min_visibility)
    if sides.verdict.blocks_metrics:
        reason = (
            Reason(SIDES_WRONG_VIEW, view=sides.suggested_view)
            if sides.verdict is SideVerdict.WRONG_VIEW
            else Reason(SIDES_UNCLEAR)
        )
        return PostureResult(
            points.view,
            ALGORITHM,
            tuple(
                Metric(name, None, unit_of(name), reasons=(reason,))
                for name in metric_names(points.view)
            ),
        )
    torso_px = torso_length_px(points, config)
    specs = (
        _frontal_specs(points.view, scale)
        if points.view.is_frontal
        else _lateral_specs(points.view, scale)
    )
    return PostureResult(
        points.view, ALGORITHM, tuple(_measure(s, points, scale, config, torso_px) for s in specs)
    )
