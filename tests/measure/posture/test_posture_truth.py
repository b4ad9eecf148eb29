"""Accuracy terms of the posture core: the model-error part of the ±, the left/right check, and
side-view metrics on clinician points. Every expected value is computed by hand in the comment.

Sources: model-error default from Bazarevsky et al. 2020 (BlazePose, PCK@0.2 = 84.1 %) as
derived in ``PostureConfig``; side rules in ``measure/posture/sides.py``; lateral definitions in
docs/posture.md (CVA: the tragus–C7 line against the horizontal, Singla et al. 2017).
"""

from __future__ import annotations

import math

import pytest

from atlaschart.measure.posture import (
    Landmark,
    LandmarkSet,
    LandmarkSource,
    PostureConfig,
    SideVerdict,
    View,
    check_sides,
    compute_metrics,
    torso_length_px,
)

CLIN = LandmarkSource.CLINICIAN
W, H = 1000, 1500


def _set(view: View, *points: Landmark) -> LandmarkSet:
    return LandmarkSet(view, W, H, points)


def _m(name: str, x: float, y: float, vis: float = 1.0, u: float | None = 0.0) -> Landmark:
    return Landmark(name, x, y, vis, uncertainty_px=u)


# --- the model-error term ------------------------------------------------------------------

TORSO = (
    _m("left_shoulder", 600, 300),
    _m("right_shoulder", 400, 300),
    _m("left_hip", 580, 700),
    _m("right_hip", 420, 700),
)


def test_model_error_scales_with_the_torso() -> None:
    # Shoulder midpoint (500, 300), hip midpoint (500, 700): torso 400 px.
    points = _set(View.ANTERIOR, *TORSO)
    assert torso_length_px(points) == pytest.approx(400.0)
    # Pass spread 0: sigma = 0.104 * 400 = 41.6 px per point; a 200 px level line:
    # SD = sqrt(2) * 41.6 / 200 rad = 0.29416 rad = 16.854°.
    metric = compute_metrics(points).get("shoulder_tilt_deg")
    assert metric.uncertainty == pytest.approx(math.degrees(math.sqrt(2) * 41.6 / 200), rel=1e-4)
    # Hip line 160 px: sqrt(2) * 41.6 / 160 rad = 21.068°.
    hips = compute_metrics(points).get("hip_tilt_deg")
    assert hips.uncertainty == pytest.approx(math.degrees(math.sqrt(2) * 41.6 / 160), rel=1e-4)


def test_pass_spread_and_model_error_add_in_quadrature() -> None:
    # Spread 9 px, model 0.05 * 400 = 20 px: sqrt(81 + 400) = 21.932 px; line 200 px:
    # sqrt(2) * 21.932 / 200 rad = 8.8854°.
    points = _set(
        View.ANTERIOR, *(Landmark(p.name, p.x_px, p.y_px, uncertainty_px=9.0) for p in TORSO)
    )
    config = PostureConfig(model_error_torso_fraction=0.05)
    metric = compute_metrics(points, config=config).get("shoulder_tilt_deg")
    expected = math.degrees(math.sqrt(2) * math.hypot(9.0, 20.0) / 200)
    assert metric.uncertainty == pytest.approx(expected, rel=1e-4)
    assert config.uncertainty_covers == ("pass_spread", "model_error")
    assert PostureConfig(model_error_torso_fraction=None).uncertainty_covers == ("pass_spread",)


def test_half_body_photo_takes_the_torso_from_the_shoulders() -> None:
    # No hips: torso = 1.3 * 200 = 260 px; sigma = 0.104 * 260 = 27.04 px;
    # SD = sqrt(2) * 27.04 / 200 rad = 10.955°.
    points = _set(View.ANTERIOR, *TORSO[:2])
    assert torso_length_px(points) == pytest.approx(260.0)
    metric = compute_metrics(points).get("shoulder_tilt_deg")
    assert metric.uncertainty == pytest.approx(math.degrees(math.sqrt(2) * 27.04 / 200), rel=1e-4)


def test_clinician_points_carry_no_model_error() -> None:
    # Two clinician acromions, 2 px each (the configured default): sqrt(2) * 2 / 200 rad = 0.8103°.
    points = _set(
        View.ANTERIOR,
        *TORSO,
        Landmark("left_acromion", 610, 300, source=CLIN),
        Landmark("right_acromion", 390, 300, source=CLIN),
    )
    metric = compute_metrics(points).get("shoulder_tilt_deg")
    assert metric.points == ("left_acromion", "right_acromion")
    assert metric.uncertainty == pytest.approx(math.degrees(math.sqrt(2) * 2 / 220), rel=1e-4)


def test_model_error_without_a_scale_is_unknown_not_small() -> None:
    # Eyes alone: no shoulders, so no torso length; the ± is unknown rather than the spread.
    points = _set(View.ANTERIOR, _m("left_eye", 520, 100), _m("right_eye", 480, 100))
    metric = compute_metrics(points).get("head_tilt_eyes_deg")
    assert metric.value == pytest.approx(0.0) and metric.uncertainty is None


# --- left and right against the declared view ---------------------------------------------


def _face(vis: float) -> tuple[Landmark, ...]:
    return (
        _m("nose", 500, 150, vis),
        _m("left_eye", 520, 130, vis),
        _m("right_eye", 480, 130, vis),
    )


def _torso(left_on_image_right: bool) -> tuple[Landmark, ...]:
    s = 1 if left_on_image_right else -1
    return (
        _m("left_shoulder", 500 + s * 100, 300),
        _m("right_shoulder", 500 - s * 100, 300),
        _m("left_hip", 500 + s * 80, 700),
        _m("right_hip", 500 - s * 80, 700),
    )


@pytest.mark.parametrize(
    ("view", "face", "left_on_image_right", "verdict", "suggested"),
    [
        # Front photo, front labelling (the model's normal output): fits.
        (View.ANTERIOR, 0.99, True, SideVerdict.CONSISTENT, None),
        # Back photo, back labelling: fits.
        (View.POSTERIOR, 0.1, False, SideVerdict.CONSISTENT, None),
        # Back photo labelled as if the patient faced the camera (the swap seen on real photos):
        # face hidden, so the patient's left must be on the image left: re-label.
        (View.POSTERIOR, 0.1, True, SideVerdict.RELABELLED, None),
        # Front photo declared posterior: the face is seen. Stop and say so.
        (View.POSTERIOR, 0.99, True, SideVerdict.WRONG_VIEW, View.ANTERIOR),
        # Back photo declared anterior: the face is hidden.
        (View.ANTERIOR, 0.1, True, SideVerdict.WRONG_VIEW, View.POSTERIOR),
        # A mirrored front photo's labels as they would be if the model kept the original names
        # (left on the image left) with the face seen: the face settles it; re-label.
        (View.ANTERIOR, 0.99, False, SideVerdict.RELABELLED, None),
        # Reversed torso, face neither seen nor hidden: nothing re-labelled; pairs refused.
        (View.ANTERIOR, 0.65, False, SideVerdict.REVERSED, None),
    ],
)
def test_side_check_table(
    view: View, face: float, left_on_image_right: bool, verdict: SideVerdict, suggested: View | None
) -> None:
    check = check_sides(_set(view, *_face(face), *_torso(left_on_image_right)))
    assert check.verdict is verdict
    assert check.suggested_view is suggested


def test_relabelling_swaps_names_not_coordinates() -> None:
    before = _set(View.POSTERIOR, *_face(0.1), *_torso(True))
    check = check_sides(before)
    assert check.verdict is SideVerdict.RELABELLED
    assert check.evidence == ("shoulders:+1", "hips:+1", "face:away")
    after = check.points
    # The model's "left_shoulder" at x = 600 is now the right shoulder; the nose stays.
    assert after.get("right_shoulder") is not None and after.get("right_shoulder").x_px == 600
    assert after.get("left_shoulder") is not None and after.get("left_shoulder").x_px == 400
    assert after.get("nose") == before.get("nose")
    # Re-labelled points now fit the view; metrics come out (back view, level: 0°).
    assert check_sides(after).verdict is SideVerdict.CONSISTENT
    assert compute_metrics(after).get("shoulder_tilt_deg").value == pytest.approx(0.0)


def test_swapped_back_view_never_gives_a_silent_number() -> None:
    # Not re-labelled (e.g. an old revision): every crossed pair is refused by name.
    result = compute_metrics(_set(View.POSTERIOR, *_face(0.1), *_torso(True)))
    assert result.get("shoulder_tilt_deg").value is None
    assert result.get("hip_tilt_deg").value is None


def test_wrong_view_message() -> None:
    check = check_sides(_set(View.ANTERIOR, *_face(0.1), *_torso(True)))
    assert check.english == "this looks like a back view; choose posterior"
    result = compute_metrics(check.points)
    assert {m.reason for m in result.metrics} == {"this looks like a back view; choose posterior"}


def test_clinician_torso_points_are_the_clinicians_call() -> None:
    points = _set(
        View.POSTERIOR,
        *_face(0.99),
        Landmark("left_shoulder", 400, 300, source=CLIN),
        Landmark("right_shoulder", 600, 300, source=CLIN),
    )
    assert check_sides(points).verdict is SideVerdict.NOT_CHECKED
    assert compute_metrics(points).get("shoulder_tilt_deg").value == pytest.approx(0.0)


def test_lateral_views_are_not_side_checked() -> None:
    assert check_sides(_set(View.LEFT, *_face(0.1))).verdict is SideVerdict.NOT_CHECKED


# --- side views on clinician points ---------------------------------------------------------

# Right lateral photo (patient faces +x), forward head posture placed by a clinician:
# tragus (380, 50), C7 (300, 200), acromion (310, 210), hip (model) (320, 700),
# ankle (model) (300, 1400).
FORWARD_HEAD = (
    Landmark("right_tragus", 380, 50, source=CLIN),
    Landmark("c7_spinous", 300, 200, source=CLIN),
    Landmark("right_acromion", 310, 210, source=CLIN),
    _m("right_shoulder", 305, 215),
    _m("right_hip", 320, 700),
    _m("right_ankle", 300, 1400),
)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        # CVA: tragus 80 px forward of and 150 px above C7: atan(150 / 80) = 61.928°.
        ("craniovertebral_angle_deg", math.degrees(math.atan2(150, 80))),
        # Tragus over acromion: 70 px forward, 160 px up; vs vertical atan(70 / 160) = 23.629°.
        ("ear_shoulder_angle_deg", math.degrees(math.atan2(70, 160))),
        # Over the ankle, % of the ankle-to-acromion height (1400 - 210 = 1190 px):
        # tragus 80 / 1190 = 6.7227 %; acromion 10 / 1190 = 0.8403 %; hip 20 / 1190 = 1.6807 %.
        ("ear_ankle_offset_pct", 100 * 80 / 1190),
        ("shoulder_ankle_offset_pct", 100 * 10 / 1190),
        ("hip_ankle_offset_pct", 100 * 20 / 1190),
    ],
)
def test_forward_head_table(metric: str, expected: float) -> None:
    result = compute_metrics(_set(View.RIGHT, *FORWARD_HEAD))
    assert result.get(metric).value == pytest.approx(expected, abs=1e-4)


def test_lateral_cva_uncertainty_from_clinician_points() -> None:
    # Both CVA points by hand (2 px each): d(angle)/d(point) = 1 / r per pixel across the line,
    # r = |tragus - C7| = sqrt(80^2 + 150^2) = 170 px; SD = sqrt(2) * 2 / 170 rad = 0.9533°.
    metric = compute_metrics(_set(View.RIGHT, *FORWARD_HEAD)).get("craniovertebral_angle_deg")
    assert metric.uncertainty == pytest.approx(math.degrees(math.sqrt(2) * 2 / 170), rel=1e-3)
