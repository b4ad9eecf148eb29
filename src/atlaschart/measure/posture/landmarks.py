"""Posture landmarks on a photo: names, views, sources and calibration.

Frame: image pixels of the upright (EXIF-corrected) photo, origin at the top-left corner,
x to the right, y **down**. "Left" and "right" in a landmark name are always the **patient's**
left and right, as in MediaPipe Pose (``left_ear`` is the patient's left ear, which appears on the
image's right in an anterior photo and on the image's left in a posterior photo).

Source: the 33 BlazePose landmark names (MediaPipe Pose, ``PoseLandmark`` enum, lower-cased;
Bazarevsky et al. 2020, ``[bazarevsky-2020-blazepose]``) plus points only a clinician can place,
because the model has none of them (C7 spinous process, tragus, acromion, ASIS, PSIS, episternal
notch; the photogrammetric landmarks of Singla et al. 2017, ``[singla-2017-photogrammetry]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

#: BlazePose's 33 landmarks in model index order (index i is ``PoseLandmark(i)``).
MODEL_LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

#: Points the model lacks; a clinician places them by hand.
CLINICIAN_LANDMARK_NAMES: tuple[str, ...] = (
    "c7_spinous",
    "left_tragus",
    "right_tragus",
    "left_acromion",
    "right_acromion",
    "left_asis",
    "right_asis",
    "left_psis",
    "right_psis",
    "episternal_notch",
)

LANDMARK_NAMES: frozenset[str] = frozenset(MODEL_LANDMARK_NAMES + CLINICIAN_LANDMARK_NAMES)


def mirror_name(name: str) -> str:
    """The name a landmark takes in a horizontally mirrored photo (left and right swap).

    >>> mirror_name("left_ear"), mirror_name("mouth_right"), mirror_name("nose")
    ('right_ear', 'mouth_left', 'nose')
    """
    for a, b in (("left", "right"), ("right", "left")):
        if name.startswith(a + "_"):
            return b + name[len(a) :]
        if name.endswith("_" + a):
            return name[: -len(a)] + b
    return name


class View(StrEnum):
    """Which side of the patient faces the camera.

    ``left`` is a left lateral photo: the patient's left side faces the camera, so the patient
    faces the image's left (-x). ``right``: the patient faces the image's right (+x).
    """

    ANTERIOR = "anterior"
    POSTERIOR = "posterior"
    LEFT = "left"
    RIGHT = "right"

    @property
    def is_frontal(self) -> bool:
        """Anterior and posterior photos (frontal plane); the others are lateral (sagittal)."""
        return self in (View.ANTERIOR, View.POSTERIOR)


class LandmarkSource(StrEnum):
    """Who placed a landmark: the pose model, or a clinician (placed or moved by hand)."""

    MODEL = "model"
    CLINICIAN = "clinician"


@dataclass(frozen=True)
class Landmark:
    """One point on a photo, in image pixels (x right, y down).

    ``visibility`` is the model's probability (0..1) that the point is visible; clinician points
    carry 1.0. ``uncertainty_px`` is the standard uncertainty (1 SD, isotropic) of the position
    in pixels when known: the pose adapter sets it from its test-time-augmentation spread; ``None``
    means unknown, and the metric then uses the configured default for the source.
    ``moved_by`` names the user who placed or moved the point (clinician points only).
    """

    name: str
    x_px: float
    y_px: float
    visibility: float = 1.0
    source: LandmarkSource = LandmarkSource.MODEL
    moved_by: str | None = None
    uncertainty_px: float | None = None

    def __post_init__(self) -> None:
        if self.name not in LANDMARK_NAMES:
            raise ValueError(f"unknown landmark name {self.name!r}")
        if not (math.isfinite(self.x_px) and math.isfinite(self.y_px)):
            raise ValueError(f"{self.name}: coordinates must be finite numbers")
        if not 0.0 <= self.visibility <= 1.0:
            raise ValueError(f"{self.name}: visibility must be within 0..1")
        if not isinstance(self.source, LandmarkSource):
            raise ValueError(f"{self.name}: source must be a LandmarkSource")
        if self.moved_by is not None and self.source is not LandmarkSource.CLINICIAN:
            raise ValueError(f"{self.name}: a moved point is a clinician point")
        if self.moved_by is not None and not self.moved_by.strip():
            raise ValueError(f"{self.name}: moved_by must not be blank")
        if self.uncertainty_px is not None and not (
            math.isfinite(self.uncertainty_px) and self.uncertainty_px >= 0.0
        ):
            raise ValueError(f"{self.name}: uncertainty_px must be a finite number >= 0")
        if self.source is LandmarkSource.MODEL and self.name in CLINICIAN_LANDMARK_NAMES:
            raise ValueError(f"{self.name}: only a clinician can place this point")


@dataclass(frozen=True)
class LandmarkSet:
    """All landmarks of one photo of one view, with the photo's size in pixels."""

    view: View
    width_px: int
    height_px: int
    landmarks: tuple[Landmark, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.view, View):
            raise ValueError("view must be a View")
        if self.width_px <= 0 or self.height_px <= 0:
            raise ValueError("image width and height must be positive")
        names = [lm.name for lm in self.landmarks]
        if len(names) != len(set(names)):
            raise ValueError("each landmark name may appear only once")

    def get(self, name: str) -> Landmark | None:
        """The landmark called ``name``, or ``None`` when absent."""
        for lm in self.landmarks:
            if lm.name == name:
                return lm
        return None

    def with_points(self, points: tuple[Landmark, ...]) -> LandmarkSet:
        """A copy where ``points`` replace landmarks of the same name (or are added)."""
        replaced = {p.name for p in points}
        kept = tuple(lm for lm in self.landmarks if lm.name not in replaced)
        return LandmarkSet(self.view, self.width_px, self.height_px, kept + points)


@dataclass(frozen=True)
class Calibration:
    """Scale from two image points a known distance apart (e.g. marks on a plumb line).

    ``mm_per_px`` = ``distance_mm`` / pixel distance between the points. Valid for objects in the
    plane of the reference only (perspective is not corrected).
    """

    x1_px: float
    y1_px: float
    x2_px: float
    y2_px: float
    distance_mm: float

    def __post_init__(self) -> None:
        values = (self.x1_px, self.y1_px, self.x2_px, self.y2_px, self.distance_mm)
        if not all(math.isfinite(v) for v in values):
            raise ValueError("calibration values must be finite numbers")
        if self.distance_mm <= 0:
            raise ValueError("calibration distance_mm must be positive")
        if math.hypot(self.x2_px - self.x1_px, self.y2_px - self.y1_px) < 1.0:
            raise ValueError("calibration points must be at least 1 pixel apart")

    @property
    def mm_per_px(self) -> float:
        """Millimetres per image pixel."""
        return self.distance_mm / math.hypot(self.x2_px - self.x1_px, self.y2_px - self.y1_px)
