"""Slices of a volume, the DICOM window/level to 8 bits, and PNG images for the viewer."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydicom import Dataset

from atlaschart.imaging.dicom.reading import _floats, _get, pixels
from atlaschart.imaging.dicom.volumes import Volume

Plane = Literal["axial", "coronal", "sagittal"]


@dataclass(frozen=True)
class Slice:
    """A 2-D slice for display: ``pixels[row, col]`` and the mm spacing of its rows and columns
    (coronal/sagittal rows are slice steps; the viewer scales the image by these)."""

    pixels: np.ndarray
    row_spacing_mm: float
    col_spacing_mm: float


def reformat(volume: Volume, plane: Plane, index: int) -> Slice:
    """One slice of the volume, without copying. Axial = acquisition plane ``voxels[index]``;
    coronal = ``voxels[:, index, :]`` and sagittal = ``voxels[:, :, index]``, both flipped so the
    last acquired slice (largest position along the normal; superior for a feet-first-to-head
    axial series in LPS) is at the top. The names assume an axial acquisition."""
    v = volume.voxels
    sz, sy, sx = volume.spacing_mm
    limit = {"axial": v.shape[0], "coronal": v.shape[1], "sagittal": v.shape[2]}.get(plane)
    if limit is None:
        raise ValueError(f"plane must be axial, coronal or sagittal, got {plane!r}")
    if not 0 <= index < limit:
        raise ValueError(f"{plane} index {index} outside 0..{limit - 1}")
    if plane == "axial":
        return Slice(v[index], sy, sx)
    if plane == "coronal":
        return Slice(v[::-1, index, :], sz, sx)
    return Slice(v[::-1, :, index], sz, sy)


def window_to_uint8(values: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM linear VOI window (PS3.3 C.11.2.1.2.1) to 0..255: below ``c − 0.5 − (w − 1)/2`` → 0,
    above ``c − 0.5 + (w − 1)/2`` → 255, linear between. ``width`` ≥ 1."""
    if not (width >= 1 and math.isfinite(width) and math.isfinite(center)):
        raise ValueError("window width must be ≥ 1 and center finite")
    scale = np.float32(255.0 / (width - 1)) if width > 1 else np.float32(1e9)
    offset = np.float32(center - 0.5 - (width - 1) / 2)
    out = values.astype(np.float32)
    out -= offset
    out *= scale
    np.clip(out, 0, 255, out=out)
    return np.rint(out, out=out).astype(np.uint8)


def render_slice(volume: Volume, plane: Plane, index: int, center: float, width: float) -> Slice:
    """``reformat`` then ``window_to_uint8``: the 8-bit slice the viewer is served."""
    s = reformat(volume, plane, index)
    return Slice(window_to_uint8(s.pixels, center, width), s.row_spacing_mm, s.col_spacing_mm)


def to_png(image: np.ndarray) -> bytes:
    """Encode an 8-bit grey (rows, cols) or RGB (rows, cols, 3) array as PNG bytes."""
    from PIL import Image

    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError("to_png needs a uint8 grey or RGB array")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG")
    return buf.getvalue()


def image_png(
    ds: Dataset,
    *,
    frame: int = 0,
    center: float | None = None,
    width: float | None = None,
    source: str | None = None,
) -> bytes:
    """Render one frame of a dataset to PNG: Modality LUT (rescale), then the given window, else
    the file's first WindowCenter/WindowWidth, else the frame's min..max. MONOCHROME1 is inverted
    so that higher attenuation is always white; colour images are converted to RGB as stored."""
    arr = pixels(ds, source=source)
    frames = int(_get(ds, "NumberOfFrames", 1) or 1)
    spp = int(_get(ds, "SamplesPerPixel", 1))
    if frames > 1:
        if not 0 <= frame < frames:
            raise ValueError(f"frame {frame} outside 0..{frames - 1}")
        arr = arr[frame]
    if spp == 3:
        # pydicom 3 returns YCbCr images already converted to RGB (pixel_array's as_rgb default).
        if arr.dtype != np.uint8:
            arr = (arr >> (int(_get(ds, "BitsStored", 8)) - 8)).astype(np.uint8)
        return to_png(arr)
    values = arr.astype(np.float32) * float(_get(ds, "RescaleSlope", 1.0)) + float(
        _get(ds, "RescaleIntercept", 0.0)
    )
    if center is None or width is None:
        wc, ww = _get(ds, "WindowCenter"), _get(ds, "WindowWidth")
        if wc is not None and ww is not None:
            center = float(_floats(wc)[0])  # type: ignore[index]
            width = float(_floats(ww)[0])  # type: ignore[index]
        else:
            lo, hi = float(values.min()), float(values.max())
            center, width = (lo + hi) / 2 + 0.5, max(hi - lo + 1, 1.0)
    out = window_to_uint8(values, center, width)
    if _get(ds, "PhotometricInterpretation") == "MONOCHROME1":
        out = 255 - out
    return to_png(out)
