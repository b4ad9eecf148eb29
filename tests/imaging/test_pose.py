"""MediaPipe adapter on real photos shipped by installed packages (never committed here).

scikit-image's ``astronaut`` (frontal upper body) and matplotlib's ``grace_hopper`` (frontal
portrait); rotated and mirrored variants are made in the test. The expected behaviour comes from
issue 4 §3 (an anterior photo rotated counter-clockwise by θ: every frontal line angle grows by θ;
mirrored: negated) and §4 (visibility < 0.8 not used). Tolerances are regression bounds measured
with mediapipe 0.10.21 / opencv 5.0 (docs/benchmarks/posture.md), not accuracy claims.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from atlaschart.imaging import pose
from atlaschart.imaging.pose import (
    PoseModelNotInstalled,
    _rotate,
    detect_landmarks,
    pose_model_available,
)
from atlaschart.measure.posture import View, compute_metrics

needs_model = pytest.mark.skipif(
    not pose_model_available(),
    reason="mediapipe is not installed (pip install --no-deps mediapipe==0.10.21)",
)
LINES = ("head_tilt_ears_deg", "head_tilt_eyes_deg", "shoulder_tilt_deg")


def astronaut() -> NDArray[np.uint8]:
    data = pytest.importorskip("skimage.data", reason="scikit-image ships the astronaut photo")
    return np.asarray(data.astronaut())


def grace_hopper() -> NDArray[np.uint8]:
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return np.asarray(Image.open(f).convert("RGB"))


PHOTOS = [pytest.param(astronaut, id="astronaut"), pytest.param(grace_hopper, id="grace_hopper")]


def angles(rgb: NDArray[np.uint8], tta: bool = True) -> dict[str, float]:
    result = compute_metrics(detect_landmarks(rgb, View.ANTERIOR, tta=tta).landmarks)
    values = {name: result.get(name).value for name in LINES}
    assert all(v is not None for v in values.values()), result
    return {k: v for k, v in values.items() if v is not None}


@needs_model
@pytest.mark.parametrize("photo", PHOTOS)
def test_landmarks_use_the_patients_left(photo) -> None:  # type: ignore[no-untyped-def]
    rgb = photo()
    found = detect_landmarks(rgb, View.ANTERIOR, tta=False)
    assert found.person_found
    left, right = found.landmarks.get("left_shoulder"), found.landmarks.get("right_shoulder")
    assert left is not None and right is not None
    # Anterior photo: the patient's left shoulder appears on the image's right.
    assert left.x_px > right.x_px
    assert found.landmarks.width_px == rgb.shape[1] and found.landmarks.height_px == rgb.shape[0]


@needs_model
@pytest.mark.parametrize("photo", PHOTOS)
@pytest.mark.parametrize("theta", [5.0, -5.0, 8.0])
def test_rotation_adds_theta_to_line_angles_with_tta(photo, theta: float) -> None:  # type: ignore[no-untyped-def]
    rgb = photo()
    before = angles(rgb)
    after = angles(_rotate(rgb, theta)[0])
    for name in LINES:
        assert after[name] - before[name] == pytest.approx(theta, abs=3.5), name


@needs_model
@pytest.mark.parametrize("photo", PHOTOS)
def test_mirror_negates_line_angles_with_tta(photo) -> None:  # type: ignore[no-untyped-def]
    rgb = photo()
    before = angles(rgb)
    after = angles(np.ascontiguousarray(rgb[:, ::-1]))
    for name in LINES:
        assert after[name] == pytest.approx(-before[name], abs=0.5), name


@needs_model
def test_mirrored_pass_swaps_names() -> None:
    rgb = astronaut()
    width = rgb.shape[1]
    plain = detect_landmarks(rgb, View.ANTERIOR, tta=False).landmarks
    mirrored = detect_landmarks(np.ascontiguousarray(rgb[:, ::-1]), View.ANTERIOR, tta=False)
    a, b = plain.get("left_shoulder"), mirrored.landmarks.get("right_shoulder")
    assert a is not None and b is not None
    assert b.x_px == pytest.approx(width - a.x_px, abs=0.05 * width)


@needs_model
def test_hidden_hips_are_not_used() -> None:
    # The astronaut photo ends at the waist: the model guesses hips with low visibility.
    result = compute_metrics(detect_landmarks(astronaut(), View.ANTERIOR).landmarks)
    hip = result.get("hip_tilt_deg")
    assert hip.value is None
    assert hip.reason is not None and "hip" in hip.reason


@needs_model
def test_tta_gives_each_point_an_uncertainty() -> None:
    found = detect_landmarks(grace_hopper(), View.ANTERIOR, tta=True)
    assert found.passes == 10 and found.passes_with_person >= 8
    ear = found.landmarks.get("left_ear")
    assert ear is not None and ear.uncertainty_px is not None and ear.uncertainty_px > 0
    metric = compute_metrics(found.landmarks).get("shoulder_tilt_deg")
    assert metric.uncertainty is not None and 0 < metric.uncertainty < 5


@needs_model
@pytest.mark.parametrize("tta", [False, True])
def test_no_person(tta: bool) -> None:
    blank = np.full((600, 400, 3), 128, np.uint8)
    found = detect_landmarks(blank, View.ANTERIOR, tta=tta)
    assert not found.person_found
    assert found.message == "no person found in the photo"


def test_missing_model_raises_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # makes `import mediapipe` fail
    monkeypatch.setattr(pose, "_pose", None)
    assert not pose_model_available()
    with pytest.raises(PoseModelNotInstalled) as info:
        detect_landmarks(np.zeros((10, 10, 3), np.uint8), View.ANTERIOR)
    assert info.value.code == "pose.model_not_installed"
    assert "pose model not installed" in str(info.value)
