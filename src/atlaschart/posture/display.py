"""Labels and formatting of posture metrics for the pages (translated here, not in the core)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from atlaschart.measure import posture as core

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
            "reason": m.reason or "",
            "algorithm": result.algorithm.label,
        }
        for m in result.metrics
    ]


def landmark_label(name: str) -> str:
    return str(LANDMARK_LABELS.get(name, name.replace("_", " ")))
