"""MediaPipe adapter on real photos shipped by installed packages (never committed here).

scikit-image's ``astronaut`` (frontal upper body), matplotlib's ``grace_hopper`` (frontal
portrait) and the two men standing full length in the ``ultralytics`` wheel's ``bus.jpg``
(``atlaschart.imaging.sample_photos``); rotated and mirrored variants are made in the test. The
expected behaviour comes from the sign rule of docs/posture.md (an anterior photo rotated
counter-clockwise by θ: every frontal line angle grows by θ; mirrored: negated) and its visibility
gate (visibility < 0.8 not used). Tolerances
are regression bounds measured with mediapipe 0.10.21 / opencv 5.0
(docs/benchmarks/posture.md), not accuracy claims.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from numpy.typing import NDArray

from atlaschart.imaging import pose, sample_photos
from atlaschart.imaging.pose import (
    PoseModelNotInstalled,
    _rotate,
    detect_landmarks,
    pose_model_available,
)
from atlaschart.measure.posture import PostureConfig, SideVerdict, View, compute_metrics

needs_model = pytest.mark.skipif(
    not pose_model_available(),
    reason="mediapipe is not installed (pip install --no-deps mediapipe==0.10.21)",
)
LINES = ("head_tilt_ears_deg", "head_tilt_eyes_deg", "shoulder_tilt_deg")


def _sample(name: str) -> NDArray[np.uint8]:
    try:
        return getattr(sample_photos, name)()  # type: ignore[no-any-return]
    except sample_photos.SamplePhotoMissing as exc:
        pytest.skip(str(exc))


def astronaut() -> NDArray[np.uint8]:
    return _sample("astronaut")


def grace_hopper() -> NDArray[np.uint8]:
    return _sample("grace_hopper")


PHOTOS = [pytest.param(astronaut, id="astronaut"), pytest.param(grace_hopper, id="grace_hopper")]
FULL_BODY = [pytest.param("bus_coat", id="bus_coat"), pytest.param("bus_dark_coat", id="dark_coat")]
FULL_BODY_LINES = (*LINES, "hip_tilt_deg", "knee_tilt_deg")


def angles(
    rgb: NDArray[np.uint8], tta: bool = True, lines: tuple[str, ...] = LINES
) -> dict[str, float]:
    result = compute_metrics(detect_landmarks(rgb, View.ANTERIOR, tta=tta).landmarks)
    values = {name: result.get(name).value for name in lines}
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
@pytest.mark.parametrize("name", FULL_BODY)
def test_full_body_lines_follow_rotation_with_tta(name: str) -> None:
    # The precision target (docs/benchmarks.md): median deviation <= 0.5° on clear frontal full-body
    # photos. Two rotations off the TTA's even-degree grid; every line from the ears to the knees.
    rgb = _sample(name)
    before = angles(rgb, lines=FULL_BODY_LINES)
    deviations = []
    for theta in (-4.5, 7.0):
        after = angles(_rotate(rgb, theta)[0], lines=FULL_BODY_LINES)
        deviations += [abs(after[line] - before[line] - theta) for line in FULL_BODY_LINES]
    assert float(np.median(deviations)) <= 0.5, deviations
    assert max(deviations) <= 1.5, deviations


@needs_model
def test_tta_beats_a_single_pass_on_full_body_photos() -> None:
    # The point of the precision method (test-time augmentation): smaller rotation-check deviations
    # than one raw pass, summed over both bus photos, two rotations and five lines.
    totals = {}
    for tta in (False, True):
        total = 0.0
        for name in ("bus_coat", "bus_dark_coat"):
            rgb = _sample(name)
            before = angles(rgb, tta=tta, lines=FULL_BODY_LINES)
            for theta in (-4.5, 7.0):
                after = angles(_rotate(rgb, theta)[0], tta=tta, lines=FULL_BODY_LINES)
                total += sum(abs(after[k] - before[k] - theta) for k in FULL_BODY_LINES)
        totals[tta] = total
    assert totals[True] < 0.5 * totals[False], totals


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
    assert found.passes == 22 and found.passes_with_person >= 20
    assert found.method == "mediapipe-pose-full@0.10.21+tta-rot0-10step2-mirror-mean@2"
    ear = found.landmarks.get("left_ear")
    assert ear is not None and ear.uncertainty_px is not None and ear.uncertainty_px > 0
    # The pass spread alone (repeatability) is small ...
    spread_only = PostureConfig(model_error_torso_fraction=None)
    metric = compute_metrics(found.landmarks, config=spread_only).get("shoulder_tilt_deg")
    assert metric.uncertainty is not None and 0 < metric.uncertainty < 5
    # ... the ± shown adds the model's own error (0.104 torso lengths a point, the torso taken
    # as 1.3 shoulder widths on this half-body photo): sqrt(2) * 0.104 * 1.3 rad = 10.96° at
    # least, whatever the shoulder width in pixels.
    shown = compute_metrics(found.landmarks).get("shoulder_tilt_deg")
    assert shown.uncertainty is not None
    assert math.degrees(math.sqrt(2) * 0.104 * 1.3) <= shown.uncertainty < 12


@pytest.fixture(scope="module")
def front_and_mirrored() -> dict[str, NDArray[np.uint8]]:
    """A full-body front photo and its mirror image (a selfie-style flip)."""
    rgb = _sample("bus_coat")
    return {"plain": rgb, "mirrored": np.ascontiguousarray(rgb[:, ::-1])}


@needs_model
@pytest.mark.parametrize("variant", ["plain", "mirrored"])
def test_front_photo_declared_posterior_is_stopped(
    front_and_mirrored: dict[str, NDArray[np.uint8]], variant: str
) -> None:
    # The face is seen (nose and eyes visibility 1.0): a front view, whatever was chosen.
    found = detect_landmarks(front_and_mirrored[variant], View.POSTERIOR, tta=False)
    assert found.sides is not None
    assert found.sides.verdict is SideVerdict.WRONG_VIEW
    assert found.sides.suggested_view is View.ANTERIOR
    assert found.sides.english == "this looks like a front view; choose anterior"
    result = compute_metrics(found.landmarks)
    assert all(m.value is None for m in result.metrics)
    assert result.get("shoulder_tilt_deg").reasons[0].code == "sides.wrong_view"


@needs_model
@pytest.mark.parametrize("variant", ["plain", "mirrored"])
def test_front_photo_declared_anterior_fits(
    front_and_mirrored: dict[str, NDArray[np.uint8]], variant: str
) -> None:
    # The model labels a mirrored photo as the person it shows (left on the image right); the
    # check cannot see a mirror (docs/posture.md), and it must not invent a contradiction.
    found = detect_landmarks(front_and_mirrored[variant], View.ANTERIOR, tta=False)
    assert found.sides is not None and found.sides.verdict is SideVerdict.CONSISTENT
    assert "sides-relabelled" not in found.method
    assert compute_metrics(found.landmarks).get("shoulder_tilt_deg").value is not None


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
