"""Landmark points as the pose model hands them to the posture services (the ``detected`` points
of a shot's first revision)."""

from __future__ import annotations

from typing import Any


def model_point(name: str, x: float, y: float, visibility: float = 0.99) -> dict[str, Any]:
    """One landmark found by the model at (``x``, ``y``) in image pixels."""
    return {
        "name": name,
        "x": x,
        "y": y,
        "visibility": visibility,
        "source": "model",
        "uncertainty_px": 2.0,
        "moved_by": None,
        "moved_at": None,
    }


# Anterior: patient's left shoulder on the image's right, 10 px higher over 100 px.
SHOULDERS = [model_point("left_shoulder", 250, 190), model_point("right_shoulder", 150, 200)]
