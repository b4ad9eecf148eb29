"""Real photos of people that installed packages ship, for tests and benchmarks.

Nothing here is committed to the project or downloaded: each photo is read from the package (or
Debian package) that carries it, and a missing one raises ``SamplePhotoMissing`` saying what to
install. Which photo shows what:

* ``astronaut`` (scikit-image): frontal upper body; hips out of frame.
* ``grace_hopper`` (matplotlib): frontal portrait.
* ``camera`` (scikit-image): cameraman, 3/4 view, half body.
* ``bus_coat`` and ``bus_dark_coat`` (the ``ultralytics`` wheel's ``assets/bus.jpg``, installed
  ``--no-deps`` by the Makefile for its photos only; its code is never imported): two men standing
  full length, near frontal, cut out of the street photo one person each.
* ``basketball`` (Debian ``opencv-doc``, optional): a man standing full length, frontal, gray.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

OPENCV_DOC_DATA = Path("/usr/share/doc/opencv-doc/examples/data")


class SamplePhotoMissing(LookupError):
    """The package that ships this photo is not installed."""


def _rgb(image: Image.Image) -> NDArray[np.uint8]:
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def astronaut() -> NDArray[np.uint8]:
    try:
        from skimage import data
    except ImportError as exc:
        raise SamplePhotoMissing("install scikit-image for the astronaut photo") from exc
    return np.ascontiguousarray(data.astronaut(), dtype=np.uint8)  # type: ignore[no-untyped-call]


def camera() -> NDArray[np.uint8]:
    try:
        from skimage import data
    except ImportError as exc:
        raise SamplePhotoMissing("install scikit-image for the camera photo") from exc
    return _rgb(Image.fromarray(data.camera()))  # type: ignore[no-untyped-call]


def grace_hopper() -> NDArray[np.uint8]:
    from matplotlib import cbook

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with Image.open(str(path)) as image:
        return _rgb(image)


def _bus() -> Image.Image:
    # find_spec on a top-level package locates it without importing (running) it.
    spec = importlib.util.find_spec("ultralytics")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "assets" / "bus.jpg"
        if path.is_file():
            return Image.open(path)
    raise SamplePhotoMissing("pip install --no-deps ultralytics==8.4.190 for the bus.jpg photo")


def bus_coat() -> NDArray[np.uint8]:
    """The man in the light coat, head to shoes (210 x 550 px)."""
    with _bus() as image:
        return _rgb(image.crop((35, 370, 245, 920)))


def bus_dark_coat() -> NDArray[np.uint8]:
    """The man in the dark coat, head to shoes (155 x 485 px)."""
    with _bus() as image:
        return _rgb(image.crop((215, 390, 370, 875)))


def basketball() -> NDArray[np.uint8]:
    """The standing man on the left of opencv-doc's basketball1.png (230 x 420 px, gray)."""
    path = OPENCV_DOC_DATA / "basketball1.png"
    if not path.is_file():
        raise SamplePhotoMissing("apt-get install opencv-doc for basketball1.png")
    with Image.open(path) as image:
        return _rgb(image.crop((0, 60, 230, 480)))


def pad_to_portrait(
    rgb: NDArray[np.uint8], size: tuple[int, int] = (1000, 1500)
) -> NDArray[np.uint8]:
    """Pad with gray to the aspect ratio of ``size`` (width, height), then resize to it.

    Makes a tablet-sized portrait photo (1000 x 1500 by default) out of a small crop.
    """
    width, height = size
    h, w = rgb.shape[:2]
    canvas_w = max(w, round(h * width / height))
    canvas_h = max(h, round(canvas_w * height / width))
    canvas = np.full((canvas_h, canvas_w, 3), 128, np.uint8)
    top, left = (canvas_h - h) // 2, (canvas_w - w) // 2
    canvas[top : top + h, left : left + w] = rgb
    return _rgb(Image.fromarray(canvas).resize(size, Image.Resampling.BICUBIC))
