"""Adapters between the stored records and the pure posture core (atlaschart.measure.posture).

Nothing here writes to the database.
"""

from __future__ import annotations

from typing import Any

from atlaschart.measure import posture as core
from atlaschart.posture.models import LandmarkRevision, PostureShot


def landmark_set(shot: PostureShot, revision: LandmarkRevision | None) -> core.LandmarkSet:
    """The core's landmark set of a shot's revision (empty when there is none)."""
    points: list[core.Landmark] = []
    for item in revision.landmarks if revision is not None else []:
        points.append(
            core.Landmark(
                item["name"],
                float(item["x"]),
                float(item["y"]),
                visibility=float(item.get("visibility", 1.0)),
                source=core.LandmarkSource(item.get("source", "clinician")),
                moved_by=item.get("moved_by") if item.get("source") == "clinician" else None,
                uncertainty_px=item.get("uncertainty_px"),
            )
        )
    return core.LandmarkSet(core.View(shot.view), shot.width, shot.height, tuple(points))


def calibration(shot: PostureShot) -> core.Calibration | None:
    if shot.cal_distance_mm is None:
        return None
    return core.Calibration(
        shot.cal_x1 or 0.0,
        shot.cal_y1 or 0.0,
        shot.cal_x2 or 0.0,
        shot.cal_y2 or 0.0,
        shot.cal_distance_mm,
    )


def compute(shot: PostureShot, revision: LandmarkRevision | None) -> core.PostureResult:
    return core.compute_metrics(landmark_set(shot, revision), calibration=calibration(shot))


def metrics_to_json(result: core.PostureResult) -> dict[str, Any]:
    return {
        m.name: {
            "value": m.value,
            "unit": m.unit,
            "uncertainty": m.uncertainty,
            "reason": m.reason,
            "reasons": [r.to_json() for r in m.reasons],
            "points": list(m.points),
        }
        for m in result.metrics
    }


def result_from_cache(shot: PostureShot) -> core.PostureResult | None:
    """The cached result when it was made by the current algorithm, else ``None``."""
    if shot.metrics_algorithm != core.ALGORITHM.label or not shot.metrics:
        return None
    view = core.View(shot.view)
    try:
        metrics = tuple(
            core.Metric(
                name,
                shot.metrics[name]["value"],
                shot.metrics[name]["unit"],
                shot.metrics[name]["uncertainty"],
                shot.metrics[name]["reason"],
                tuple(shot.metrics[name].get("points", ())),
                core.reasons_from_json(shot.metrics[name].get("reasons")),
            )
            for name in core.metric_names(view)
        )
        return core.PostureResult(view, core.ALGORITHM, metrics)
    except (KeyError, TypeError, ValueError):
        return None


def current_result(shot: PostureShot) -> core.PostureResult:
    """The shot's metrics: from the cache when current, otherwise recomputed (not stored)."""
    cached = result_from_cache(shot)
    if cached is not None:
        return cached
    revision = shot.revisions.order_by("-number").first()
    return compute(shot, revision)


def combined_result(shots: list[PostureShot]) -> core.PostureResult | None:
    """Metrics of several shots of one view, combined (mean with uncertainty); None if no shot."""
    if not shots:
        return None
    results = [current_result(s) for s in shots]
    return results[0] if len(results) == 1 else core.combine_shots(results)
