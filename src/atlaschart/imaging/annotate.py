"""Draw landmarks, metric lines and angle labels on a posture photo (PNG via Pillow)."""

from __future__ import annotations

import os

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from atlaschart.measure.posture import LandmarkSet, LandmarkSource, PostureResult

_LINE = (0, 200, 255)
_MODEL = (255, 220, 0)
_CLINICIAN = (255, 64, 160)
_TEXT_BG = (0, 0, 0)


def _label(value: float, unit: str) -> str:
    return f"{value:+.1f}°" if unit == "deg" else f"{value:+.1f} {'%' if unit == 'pct' else unit}"


def annotate(rgb: NDArray[np.uint8], points: LandmarkSet, result: PostureResult) -> Image.Image:
    """The photo with every landmark (yellow: model, pink: clinician), a line through the points of
    each angle metric with its value, and a legend of all metrics (null ones say why)."""
    image = Image.fromarray(np.ascontiguousarray(rgb)).convert("RGB")
    if image.size != (points.width_px, points.height_px):
        image = image.resize((points.width_px, points.height_px))
    draw = ImageDraw.Draw(image)
    size = max(12, round(max(image.size) / 60))
    font = ImageFont.load_default(size=size)
    width = max(2, size // 6)
    for m in result.metrics:
        if m.value is None or m.unit != "deg" or len(m.points) < 2:
            continue
        a, b = points.get(m.points[0]), points.get(m.points[1])
        if a is None or b is None:
            continue
        draw.line([(a.x_px, a.y_px), (b.x_px, b.y_px)], fill=_LINE, width=width)
        mid = ((a.x_px + b.x_px) / 2, (a.y_px + b.y_px) / 2 - 1.5 * size)
        text = _label(m.value, m.unit)
        draw.rectangle(draw.textbbox(mid, text, font=font), fill=_TEXT_BG)
        draw.text(mid, text, fill=_LINE, font=font)
    r = max(3, size // 3)
    for lm in points.landmarks:
        colour = _CLINICIAN if lm.source is LandmarkSource.CLINICIAN else _MODEL
        draw.ellipse([lm.x_px - r, lm.y_px - r, lm.x_px + r, lm.y_px + r], outline=colour, width=2)
    legend = [f"{points.view.value} view, {result.algorithm.label}"]
    for m in result.metrics:
        shown = _label(m.value, m.unit) if m.value is not None else f"- ({m.reason})"
        legend.append(f"{m.name}: {shown}")
    y: float = size // 2
    for line in legend:
        box = draw.textbbox((size // 2, y), line, font=font)
        draw.rectangle(box, fill=_TEXT_BG)
        draw.text((size // 2, y), line, fill=(255, 255, 255), font=font)
        y = box[3] + 2
    return image


def save_annotated(
    rgb: NDArray[np.uint8], points: LandmarkSet, result: PostureResult, path: str | os.PathLike[str]
) -> None:
    """Write ``annotate(...)`` as a PNG file."""
    annotate(rgb, points, result).save(path, format="PNG")
