"""Test photos (JPEG, PNG, GIF bytes) made with Pillow."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def jpeg(width: int = 400, height: int = 300) -> bytes:
    """A JPEG of seeded noise (the same bytes every call)."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG")
    return buf.getvalue()


def flat_jpeg(
    width: int = 40, height: int = 30, color: tuple[int, int, int] = (90, 90, 90)
) -> bytes:
    """A small JPEG of one colour."""
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG")
    return buf.getvalue()


def png_of(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 200, 200)).save(buf, "PNG")
    return buf.getvalue()


def gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 0, 0)).save(buf, "GIF")
    return buf.getvalue()
