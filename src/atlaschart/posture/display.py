"""Labels and formatting of posture metrics for the pages (translated here, not in the core)."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from atlaschart.measure import posture as core
from atlaschart.posture.models import View

logger = logging.getLogger(__name__)

METRIC_LABELS = {
    "head_tilt_ears_deg": _("Head tilt (ears)"),
    "head_tilt_eyes_deg": _("Head tilt (eyes)"),
    "shoulder_tilt_deg": _("Shoulder tilt"),
    "hip_tilt_deg": _("Hip tilt"),
    "knee_tilt_deg": _("Knee tilt"),
    "pelvic_tilt_deg": _("Pelvic tilt (ASIS/PSIS)"),
    "lateral_head_shift_pct": _("Lateral head shift"),
    "lateral_head_shift_mm": _("Lateral head shift"),
    "trunk_shift_pct": _("Trunk shift"),
    "trunk_shift_mm": _("Trunk shift"),
    "ear_shoulder_angle_deg": _("Ear–shoulder angle"),
    "craniovertebral_angle_deg": _("Craniovertebral angle"),
    "ear_ankle_offset_pct": _("Ear over ankle"),
    "ear_ankle_offset_mm": _("Ear over ankle"),
    "shoulder_ankle_offset_pct": _("Shoulder over ankle"),
    "shoulder_ankle_offset_mm": _("Shoulder over ankle"),
    "hip_ankle_offset_pct": _("Hip over ankle"),
    "hip_ankle_offset_mm": _("Hip over ankle"),
}

UNIT_SYMBOLS = {"deg": "°", "pct": "%", "mm": " mm"}
UNIT_NAMES = {"deg": _("degrees"), "pct": _("% of width"), "mm": _("mm")}

LANDMARK_LABELS = {
    "c7_spinous": _("C7 spinous process"),
    "left_tragus": _("Left tragus"),
    "right_tragus": _("Right tragus"),
    "left_acromion": _("Left acromion"),
    "right_acromion": _("Right acromion"),
    "left_asis": _("Left ASIS"),
    "right_asis": _("Right ASIS"),
    "left_psis": _("Left PSIS"),
    "right_psis": _("Right PSIS"),
    "episternal_notch": _("Episternal notch"),
    # The pose model's points (BlazePose names; left/right are the patient's).
    "nose": _("Nose"),
    "left_eye_inner": _("Left eye, inner corner"),
    "left_eye": _("Left eye"),
    "left_eye_outer": _("Left eye, outer corner"),
    "right_eye_inner": _("Right eye, inner corner"),
    "right_eye": _("Right eye"),
    "right_eye_outer": _("Right eye, outer corner"),
    "left_ear": _("Left ear"),
    "right_ear": _("Right ear"),
    "mouth_left": _("Mouth, left corner"),
    "mouth_right": _("Mouth, right corner"),
    "left_shoulder": _("Left shoulder"),
    "right_shoulder": _("Right shoulder"),
    "left_elbow": _("Left elbow"),
    "right_elbow": _("Right elbow"),
    "left_wrist": _("Left wrist"),
    "right_wrist": _("Right wrist"),
    "left_pinky": _("Left little finger"),
    "right_pinky": _("Right little finger"),
    "left_index": _("Left index finger"),
    "right_index": _("Right index finger"),
    "left_thumb": _("Left thumb"),
    "right_thumb": _("Right thumb"),
    "left_hip": _("Left hip"),
    "right_hip": _("Right hip"),
    "left_knee": _("Left knee"),
    "right_knee": _("Right knee"),
    "left_ankle": _("Left ankle"),
    "right_ankle": _("Right ankle"),
    "left_heel": _("Left heel"),
    "right_heel": _("Right heel"),
    "left_foot_index": _("Left toe tip"),
    "right_foot_index": _("Right toe tip"),
}

# Reason codes of the core (docs/posture.md "Reason codes") in the user's language.
REASON_MESSAGES = {
    core.POINT_NOT_FOUND: _("%(point)s was not found"),
    core.POINT_NOT_PLACED: _("%(point)s was not placed (a clinician places this point)"),
    core.POINT_OUTSIDE_IMAGE: _("%(point)s is outside the photo"),
    core.POINT_LOW_VISIBILITY: _("%(point)s: visibility %(visibility)s is below %(limit)s"),
    core.CALIBRATION_MISSING: _("No calibration: values in mm need a scale"),
    core.GEOMETRY_NOT_LEFT_OF: _(
        "%(left)s and %(right)s are on the wrong sides for this view (%(view)s): "
        "check the view or the point labels"
    ),
    core.GEOMETRY_NOT_BELOW: _("%(lower)s is not below %(upper)s: check the points"),
    core.CHANGE_NO_BEFORE_VALUE: _("No before value: %(detail)s"),
    core.CHANGE_NO_AFTER_VALUE: _("No after value: %(detail)s"),
    core.CHANGE_NO_MDC: _("No MDC is configured and the uncertainty is unknown"),
    core.SHOTS_PARTIAL: _("Combined from %(used)s of %(taken)s shots"),
}


def fmt(value: float | None, unit: str, signed: bool = True) -> str:
    if value is None:
        return "—"
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return text + UNIT_SYMBOLS.get(unit, "")


def metric_rows(result: core.PostureResult) -> list[dict[str, Any]]:
    """One row per metric: label, value and uncertainty with unit, algorithm, reason when null."""
    return [
        {
            "name": m.name,
            "label": METRIC_LABELS.get(m.name, m.name),
            "unit": m.unit,
            "unit_name": UNIT_NAMES.get(m.unit, m.unit),
            "value": m.value,
            "shown": fmt(m.value, m.unit),
            "uncertainty": fmt(m.uncertainty, m.unit, signed=False)
            if m.uncertainty is not None
            else "",
            "reason": reason_text(m),
            "algorithm": result.algorithm.label,
        }
        for m in result.metrics
    ]


def landmark_label(name: str) -> str:
    return str(LANDMARK_LABELS.get(name, name.replace("_", " ")))


def _reason_params(reason: core.Reason) -> dict[str, str]:
    points, values = reason.points, reason.values
    if reason.code in (core.CHANGE_NO_BEFORE_VALUE, core.CHANGE_NO_AFTER_VALUE):
        return {"detail": "; ".join(_translate(d) for d in reason.detail)}
    if reason.code == core.POINT_LOW_VISIBILITY:
        return {
            "point": landmark_label(points[0]),
            "visibility": number_format(values[0], 2),
            "limit": number_format(values[1], 2),
        }
    if reason.code == core.GEOMETRY_NOT_LEFT_OF:
        view = View(reason.view.value).label if reason.view is not None else ""
        return {
            "left": landmark_label(points[0]),
            "right": landmark_label(points[1]),
            "view": str(view),
        }
    if reason.code == core.GEOMETRY_NOT_BELOW:
        return {"lower": landmark_label(points[0]), "upper": landmark_label(points[1])}
    if reason.code == core.SHOTS_PARTIAL:
        return {"used": str(round(values[0])), "taken": str(round(values[1]))}
    return {"point": landmark_label(points[0])} if points else {}


def _translate(reason: core.Reason) -> str:
    return str(REASON_MESSAGES[reason.code]) % _reason_params(reason)


def reason_text(item: core.Metric | core.Change) -> str:
    """Why a value is missing (or a note on it), in the user's language.

    Translated from the structured ``reasons`` by code, with landmark names as labels and numbers
    formatted for the language. Falls back to the core's English ``reason`` when there are no
    structured reasons (a note, an old cache) or a code is unknown here; never raises.
    """
    english, reasons = item.reason or "", item.reasons
    if not reasons:
        return english
    try:
        return "; ".join(_translate(r) for r in reasons)
    except (KeyError, IndexError, TypeError, ValueError):
        logger.warning("posture reason not translated: %s", [r.code for r in reasons])
        return english
