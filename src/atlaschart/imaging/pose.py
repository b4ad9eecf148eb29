"""MediaPipe Pose adapter: photo pixels in, ``LandmarkSet`` (patient's left/right names) out.

Model: ``mediapipe==0.10.21`` legacy ``solutions.pose`` with ``model_complexity=1`` and
``static_image_mode=True``; its BlazePose "full" weights ship inside the wheel, so it runs offline
(complexity 0 and 2 would download their weights at run time). The package is optional: without it,
``PoseModelNotInstalled`` is raised and the app works with hand-placed landmarks.

Coordinates: continuous image pixels of the upright photo, (0, 0) at the top-left *corner* of
the top-left pixel (pixel centres at i + 0.5), x right, y down; MediaPipe's normalised
``x * width``, ``y * height``.

Precision: one BlazePose pass has about 2° of spread on line angles (our rotation check,
``[atlaschart-pose-precision]`` in docs/sources.md). With ``tta=True`` the photo is also run
mirrored and rotated by small angles; each pass is mapped back to the original frame (a mirrored
pass also swaps left/right names) and the passes are combined by per-axis mean
(``measure.posture.combine_passes``), whose spread becomes each point's ``uncertainty_px``. The pass
set and the mean were chosen on the rotation check of bench/posture.py (docs/benchmarks/posture.md).
That spread is repeatability only: the model's error against the body is a separate term the metrics
add (``PostureConfig``), because every pass shares it.

Left and right: before the landmarks leave this module they are checked against the declared
view (``measure.posture.check_sides``). Where the face makes it unambiguous that the model
swapped the sides, every point is re-labelled here, once, and ``PoseDetection.method`` says so
(``+sides-relabelled``); a photo that looks like the other view is reported in
``PoseDetection.sides`` for the caller to stop on.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from atlaschart.measure.posture import (
    MODEL_LANDMARK_NAMES,
    Landmark,
    LandmarkSet,
    LandmarkSource,
    SideCheck,
    SideVerdict,
    View,
    check_sides,
    combine_passes,
    mirror_name,
)

MEDIAPIPE_VERSION = "0.10.21"
MODEL_COMPLEXITY = 1

#: Rotations (degrees, counter-clockwise as displayed) of the TTA passes; each is run plain and
#: mirrored, so 22 passes in all. Measured on full-body photos (bench/posture.py): 0, ±3, ±6
#: (10 passes) left the ear and knee lines at about 0.5° median deviation; 0 to ±10 in 2° steps
#: brought every frontal line to 0.2–0.4°, for about 1 s a photo on 2 cores.
TTA_ROTATIONS_DEG: tuple[float, ...] = (
    0.0,
    2.0,
    -2.0,
    4.0,
    -4.0,
    6.0,
    -6.0,
    8.0,
    -8.0,
    10.0,
    -10.0,
)

#: What produced model landmarks, stored with them (provenance): model, version, pass set, rule.
DETECTOR_ID = f"mediapipe-pose-full@{MEDIAPIPE_VERSION}"
TTA_ID = "tta-rot0-10step2-mirror-mean@2"
RELABELLED_ID = "sides-relabelled"

#: TTA passes run on a copy whose longer side is at most this (the model sees 256 px anyway),
#: so 6 warps of a 40-megapixel photo stay cheap.
TTA_MAX_SIDE_PX = 1600

#: Single-pass point uncertainty as a fraction of shoulder width **[derived]**: a 2.0° SD of the
#: shoulder line angle (`[atlaschart-pose-precision]`) = sqrt(2)·sigma/width rad
#: → sigma ≈ 0.025·width.
SINGLE_PASS_SIGMA_FRACTION = 0.025

_GRAY = (128, 128, 128)


class PoseModelNotInstalled(Exception):
    """The optional pose model (mediapipe) is not installed."""

    code = "pose.model_not_installed"

    def __init__(self) -> None:
        self.message = (
            f"pose model not installed: run `pip install --no-deps mediapipe=={MEDIAPIPE_VERSION}`"
            " (or place the landmarks by hand)"
        )
        super().__init__(self.message)


@dataclass(frozen=True)
class PoseDetection:
    """What the model found on one photo.

    ``landmarks`` is empty when no person was found (``message`` then says so). ``passes`` is the
    number of model runs, ``passes_with_person`` how many found a person. ``sides`` is the
    left/right check (``None`` when no person was found); with ``relabelled`` the landmarks are
    already the re-labelled ones.
    """

    landmarks: LandmarkSet
    passes: int
    passes_with_person: int
    message: str | None = None
    sides: SideCheck | None = None

    @property
    def method(self) -> str:
        """Provenance of the landmarks: the model, with TTA the pass set and rule, and whether
        left and right were re-labelled."""
        method = DETECTOR_ID if self.passes == 1 else f"{DETECTOR_ID}+{TTA_ID}"
        if self.sides is not None and self.sides.verdict is SideVerdict.RELABELLED:
            method += f"+{RELABELLED_ID}"
        return method

    @property
    def person_found(self) -> bool:
        return bool(self.landmarks.landmarks)


_lock = threading.Lock()
_pose: Any = None


def pose_model_available() -> bool:
    """Whether mediapipe can be imported (does not load the model)."""
    try:
        _import_mediapipe()
    except PoseModelNotInstalled:
        return False
    return True


def _import_mediapipe() -> Any:
    # Quieten the C++ logging before the first import; it writes to stderr.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import mediapipe  # type: ignore[import-untyped]  # optional, imported on first use
    except ImportError as exc:
        raise PoseModelNotInstalled() from exc
    return mediapipe


def _get_pose() -> Any:
    """The process's one Pose object (creating the graph costs ~0.2 s; reuse it)."""
    global _pose
    if _pose is None:
        mp = _import_mediapipe()
        _pose = mp.solutions.pose.Pose(
            static_image_mode=True,
            model_complexity=MODEL_COMPLEXITY,
            enable_segmentation=False,
        )
    return _pose


def raw_inference(rgb: NDArray[np.uint8]) -> list[tuple[str, float, float, float]] | None:
    """One model pass on an RGB uint8 image: ``(name, x_px, y_px, visibility)`` for the 33
    landmarks (the model's own left/right), or ``None`` when no person was found."""
    image = np.ascontiguousarray(rgb)
    height, width = image.shape[:2]
    with _lock:  # a MediaPipe graph is not safe to call from two threads at once
        result = _get_pose().process(image)
    if result.pose_landmarks is None:
        return None
    return [
        (name, float(lm.x) * width, float(lm.y) * height, float(lm.visibility))
        for name, lm in zip(MODEL_LANDMARK_NAMES, result.pose_landmarks.landmark, strict=True)
    ]


def _to_set(
    points: list[tuple[str, float, float, float]], view: View, width: int, height: int
) -> LandmarkSet:
    return LandmarkSet(
        view,
        width,
        height,
        tuple(
            Landmark(name, x, y, visibility=min(max(v, 0.0), 1.0), source=LandmarkSource.MODEL)
            for name, x, y, v in points
        ),
    )


def _rotate(rgb: NDArray[np.uint8], angle_deg: float) -> tuple[NDArray[np.uint8], NDArray[Any]]:
    """Rotate counter-clockwise (as displayed) on an enlarged canvas so nothing is cut off.

    Returns the image and the 2x3 affine that maps original pixel-centre coordinates to it.
    """
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), angle_deg, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w = math.ceil(w * cos + h * sin)
    new_h = math.ceil(w * sin + h * cos)
    matrix[0, 2] += (new_w - w) / 2.0
    matrix[1, 2] += (new_h - h) / 2.0
    rotated = cv2.warpAffine(rgb, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=_GRAY)
    return np.asarray(rotated, dtype=np.uint8), matrix


def _tta_pass(
    rgb: NDArray[np.uint8], angle_deg: float, mirrored: bool
) -> list[tuple[str, float, float, float]] | None:
    """One augmented pass, mapped back to ``rgb``'s frame with patient-side names."""
    w = rgb.shape[1]
    image = np.ascontiguousarray(rgb[:, ::-1]) if mirrored else rgb
    matrix = None
    if angle_deg:
        image, matrix = _rotate(image, angle_deg)
    found = raw_inference(image)
    if found is None:
        return None
    back = cv2.invertAffineTransform(matrix) if matrix is not None else None
    mapped = []
    for name, x, y, vis in found:
        if back is not None:
            # Affine maps work on pixel-centre coordinates: shift by half a pixel around them.
            cx, cy = x - 0.5, y - 0.5
            x = back[0, 0] * cx + back[0, 1] * cy + back[0, 2] + 0.5
            y = back[1, 0] * cx + back[1, 1] * cy + back[1, 2] + 0.5
        if mirrored:
            x = w - x
            name = mirror_name(name)
        mapped.append((name, float(x), float(y), vis))
    return mapped


def _with_single_pass_sigma(points: LandmarkSet) -> LandmarkSet:
    left, right = points.get("left_shoulder"), points.get("right_shoulder")
    if left is None or right is None:
        return points
    sigma = SINGLE_PASS_SIGMA_FRACTION * math.hypot(left.x_px - right.x_px, left.y_px - right.y_px)
    return LandmarkSet(
        points.view,
        points.width_px,
        points.height_px,
        tuple(
            Landmark(lm.name, lm.x_px, lm.y_px, lm.visibility, lm.source, uncertainty_px=sigma)
            for lm in points.landmarks
        ),
    )


_NO_PERSON = "no person found in the photo"


def detect_landmarks(
    rgb: NDArray[np.uint8],
    view: View,
    *,
    tta: bool = True,
    frame_size: tuple[int, int] | None = None,
) -> PoseDetection:
    """Find the 33 BlazePose landmarks of the one person on an upright RGB photo.

    Parameters
    ----------
    rgb
        (height, width, 3) uint8, upright (see ``imaging.photos.load_photo``).
    view
        Recorded on the returned set; the model itself does not use it.
    tta
        Combine 22 passes (plain and mirrored, rotated by ``TTA_ROTATIONS_DEG``); otherwise one.
    frame_size
        ``(width, height)`` of the full photo when ``rgb`` is a reduced copy
        (``Photo.width, Photo.height``); landmarks are scaled to it.

    Raises ``PoseModelNotInstalled`` when mediapipe is missing.
    """
    width, height = frame_size or (rgb.shape[1], rgb.shape[0])
    if not tta:
        found = raw_inference(rgb)
        if found is None:
            return PoseDetection(LandmarkSet(view, width, height), 1, 0, _NO_PERSON)
        fx, fy = width / rgb.shape[1], height / rgb.shape[0]
        scaled = [(n, x * fx, y * fy, v) for n, x, y, v in found]
        return _checked(_with_single_pass_sigma(_to_set(scaled, view, width, height)), 1, 1)

    scale = min(1.0, TTA_MAX_SIDE_PX / max(rgb.shape[:2]))
    work = rgb
    if scale < 1.0:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        work = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    sx, sy = width / work.shape[1], height / work.shape[0]
    sets = []
    runs = 0
    for angle in TTA_ROTATIONS_DEG:
        for mirrored in (False, True):
            runs += 1
            found = _tta_pass(work, angle, mirrored)
            if found is not None:
                scaled = [(n, x * sx, y * sy, v) for n, x, y, v in found]
                sets.append(_to_set(scaled, view, width, height))
    if not sets:
        return PoseDetection(LandmarkSet(view, width, height), runs, 0, _NO_PERSON)
    if len(sets) == 1:
        return _checked(_with_single_pass_sigma(sets[0]), runs, 1)
    return _checked(combine_passes(sets, min_passes=2), runs, len(sets))


def _checked(points: LandmarkSet, passes: int, with_person: int) -> PoseDetection:
    """The detection after the left/right check (re-labelled where the check says so)."""
    sides = check_sides(points)
    return PoseDetection(sides.points, passes, with_person, sides=sides)
