"""Loading posture photos: JPEG, PNG and WebP only, upright, within size limits.

Policy (the photo rules of docs/posture.md, "Photos accepted"): anything else is refused with a
``PhotoError`` carrying a stable ``code`` and an English ``message``; the web layer translates by
code and stores nothing. Checks run cheapest first: byte size, then the header (format, pixel
count), then the full decode. The returned pixels are upright: the EXIF orientation tag is applied,
so landmark coordinates refer to the photo as a person sees it.

Decoders: Pillow reads every header and decodes JPEG (its draft mode can skip detail the pose
model never sees). PNG and WebP pixels are decoded by OpenCV, measured faster on a 1000x1500
photo (bench/posture.py: PNG about 28 against 40 ms, WebP about 11 against 38 ms); the
orientation tag is still read through Pillow and applied here.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = ("JPEG", "PNG", "WEBP")


class PhotoError(Exception):
    """A photo was refused. ``code`` is stable (for translation); ``message`` is English."""

    code = "photo.error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PhotoUnreadable(PhotoError):
    code = "photo.unreadable"


class PhotoUnsupportedFormat(PhotoError):
    code = "photo.unsupported_format"


class PhotoTooLarge(PhotoError):
    """More than ``MAX_BYTES`` bytes."""

    code = "photo.too_large"


class PhotoTooManyPixels(PhotoError):
    """More than ``MAX_PIXELS`` pixels."""

    code = "photo.too_many_pixels"


@dataclass(frozen=True)
class Photo:
    """An upright photo as 8-bit RGB pixels, shape (rows, columns, 3).

    ``width`` and ``height`` are the upright photo's full size in pixels: landmark coordinates
    refer to it. ``rgb`` is that size, or smaller when ``load_photo(max_side=...)`` let the JPEG
    decoder skip detail (then ``width / rgb.shape[1]`` is the scale to apply).
    """

    rgb: NDArray[np.uint8]
    format: str
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.rgb.ndim != 3 or self.rgb.shape[2] != 3 or self.rgb.dtype != np.uint8:
            raise ValueError("rgb must be an (height, width, 3) uint8 array")
        if self.width < self.rgb.shape[1] or self.height < self.rgb.shape[0]:
            raise ValueError("width and height are the full size, at least the pixel array's")


def _read_bytes(source: str | os.PathLike[str] | bytes | BinaryIO) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise PhotoTooLarge(_too_large(size))
            data = path.read_bytes()
        except PhotoError:
            raise
        except OSError as exc:
            raise PhotoUnreadable(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    else:
        # Read one byte past the limit so a too-large stream is caught without reading it all.
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge(_too_large(len(data)))
    if not data:
        raise PhotoUnreadable("the file is empty")
    return data


def _too_large(size: int) -> str:
    return f"the file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB"


def load_photo(
    source: str | os.PathLike[str] | bytes | BinaryIO, *, max_side: int | None = None
) -> Photo:
    """Load a JPEG, PNG or WebP photo upright as RGB.

    ``max_side``: for the pose model, which sees 256 px, a JPEG may be decoded at 1/2, 1/4 or
    1/8 scale (Pillow's ``draft``) as long as the longer side stays >= ``max_side``; about 3x
    faster to decode. Other formats always decode at full size.

    Raises ``PhotoTooLarge``, ``PhotoUnsupportedFormat``, ``PhotoTooManyPixels`` or
    ``PhotoUnreadable`` (all ``PhotoError``). Animated files give their first frame; an alpha
    channel is dropped.
    """
    data = _read_bytes(source)
    try:
        # Only these decoders may parse untrusted uploads.
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise PhotoTooManyPixels(f"the image has too many pixels (limit {MAX_PIXELS:,})") from exc
    except UnidentifiedImageError as exc:
        raise PhotoUnsupportedFormat(
            "not a supported image: use a JPEG, PNG or WebP photo"
        ) from exc
    except OSError as exc:
        raise PhotoUnreadable(f"the image cannot be read: {exc}") from exc
    with image:
        if image.format not in FORMATS:
            raise PhotoUnsupportedFormat(
                f"{image.format} images are not supported: use a JPEG, PNG or WebP photo"
            )
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise PhotoTooManyPixels(
                f"the image is {width}x{height} = {width * height / 1e6:.1f} megapixels; "
                f"the limit is {MAX_PIXELS / 1e6:.0f} megapixels"
            )
        fmt = image.format
        orientation = _orientation(image, data)
        if orientation in (5, 6, 7, 8):  # a quarter turn swaps the sides
            width, height = height, width
        try:
            if fmt == "JPEG":
                rgb = _decode_with_pillow(image, max_side)
            elif orientation is None:
                rgb = _decode_with_pillow(image, None)
                height, width = rgb.shape[:2]  # full size, now upright
            else:
                rgb = _upright(_decode_with_opencv(data), orientation)
        except (OSError, ValueError, SyntaxError, cv2.error) as exc:
            # Truncated or corrupt data surfaces only on decode.
            raise PhotoUnreadable(f"the image data is damaged: {exc}") from exc
    return Photo(np.ascontiguousarray(rgb), fmt, width, height)


def _orientation(image: Image.Image, data: bytes) -> int | None:
    """The EXIF orientation (1–8; 1 when absent), or ``None`` when only a full decode can tell.

    A PNG may carry its EXIF (``eXIf`` chunk) after the pixel data, where Pillow finds it only by
    decoding everything (its ``getexif`` would do just that), and an XMP orientation is rarer
    still; either sends the photo down Pillow's own (slower) path.
    """
    if image.format == "PNG" and "exif" not in image.info:
        if b"eXIf" in data or "XML:com.adobe.xmp" in image.info:
            return None
        return 1
    value = image.getexif().get(0x0112, 1)  # EXIF Orientation
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _decode_with_pillow(image: Image.Image, max_side: int | None) -> NDArray[np.uint8]:
    if max_side is not None:
        width, height = image.size
        factor = max_side / max(width, height)
        if factor < 1.0:
            image.draft("RGB", (math.ceil(width * factor), math.ceil(height * factor)))
    upright = ImageOps.exif_transpose(image)
    return np.asarray(upright.convert("RGB"), dtype=np.uint8)


def _decode_with_opencv(data: bytes) -> NDArray[np.uint8]:
    """8-bit RGB as stored (orientation not applied); alpha dropped, 16 bits scaled to 8."""
    flags = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    if bgr is None:
        raise ValueError("the decoder gave up")
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def _upright(rgb: NDArray[np.uint8], orientation: int) -> NDArray[np.uint8]:
    """Apply an EXIF orientation (the same eight cases as Pillow's ``exif_transpose``)."""
    if orientation == 2:
        return rgb[:, ::-1]
    if orientation == 3:
        return rgb[::-1, ::-1]
    if orientation == 4:
        return rgb[::-1]
    if orientation == 5:  # transpose: mirror about the top-left to bottom-right diagonal
        return rgb.transpose(1, 0, 2)
    if orientation == 6:  # stored turned 90° counter-clockwise: turn it clockwise
        return np.rot90(rgb, k=-1)
    if orientation == 7:  # transverse: mirror about the other diagonal
        return rgb[::-1, ::-1].transpose(1, 0, 2)
    if orientation == 8:
        return np.rot90(rgb, k=1)
    return rgb


#: Background lines within this many degrees of the image vertical count as "meant vertical"
#: (door frames, wall corners, a plumb line); steeper leans are scenery, not camera tilt.
VERTICAL_SEARCH_DEG = 10.0
#: A segment shorter than this fraction of the image height is too short to judge a lean.
VERTICAL_MIN_LENGTH = 0.12
#: Fewer segments than this tell nothing.
VERTICAL_MIN_SEGMENTS = 3


def vertical_tilt_deg(rgb: NDArray[np.uint8]) -> float | None:
    """How far the photo's near-vertical straight lines lean, as a sign of a tilted camera.

    Straight segments (Canny edges, probabilistic Hough transform) within
    ``VERTICAL_SEARCH_DEG`` of the image vertical and at least ``VERTICAL_MIN_LENGTH`` of the
    image height long are taken as lines that are vertical in the room. Returns their
    length-weighted median lean in degrees, **positive when the tops lean to the image's right**
    (a camera rolled counter-clockwise as the photographer sees it), or ``None`` with fewer than
    ``VERTICAL_MIN_SEGMENTS`` such segments (a plain background: no evidence either way).

    A heuristic, not a measurement: a leaning object in the background counts as well, so the
    page only warns. Why here: every frontal line angle is measured against the image
    horizontal, so a camera rolled by θ adds θ to each of them (docs/posture.md).
    """
    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    height, width = gray.shape[:2]
    scale = min(1.0, 800.0 / max(height, width))
    if scale < 1.0:
        gray = cv2.resize(
            gray,
            (max(1, round(width * scale)), max(1, round(height * scale))),
            interpolation=cv2.INTER_AREA,
        )
        height, width = gray.shape[:2]
    edges = cv2.Canny(gray, 50, 150)
    min_length = VERTICAL_MIN_LENGTH * height
    found = cv2.HoughLinesP(
        edges, 1, math.pi / 360, threshold=40, minLineLength=min_length, maxLineGap=4
    )
    if found is None:
        return None
    leans: list[tuple[float, float]] = []
    for x1, y1, x2, y2 in np.asarray(found, dtype=float).reshape(-1, 4):
        if y1 > y2:  # orient every segment from its top end
            x1, y1, x2, y2 = x2, y2, x1, y1
        length = math.hypot(x2 - x1, y2 - y1)
        lean = math.degrees(math.atan2(x1 - x2, y2 - y1))  # top right of bottom: positive
        if abs(lean) <= VERTICAL_SEARCH_DEG and length >= min_length:
            leans.append((lean, length))
    if len(leans) < VERTICAL_MIN_SEGMENTS:
        return None
    leans.sort()
    half = sum(length for _, length in leans) / 2.0
    running = 0.0
    for lean, length in leans:
        running += length
        if running >= half:
            return lean
    return leans[-1][0]
