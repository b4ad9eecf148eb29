"""Hand-computed posture metrics on synthetic landmarks.

Expected values are worked out by hand from the definitions of docs/posture.md (frontal line angle
positive when the patient's LEFT point is higher; shifts positive toward the patient's left;
lateral: ear-shoulder line vs vertical positive when the ear is in front, CVA = tragus–C7 vs
horizontal; Singla et al. 2017); they never call the code under test.
"""

from __future__ import annotations

import math

import pytest

from atlaschart.measure.posture import (
    Calibration,
    Landmark,
    LandmarkSet,
    LandmarkSource,
    PostureConfig,
    View,
    compute_metrics,
    mirror_name,
)

W, H = 1000, 1000
CLIN = LandmarkSource.CLINICIAN


def lset(view: View, **points: tuple[float, float] | tuple[float, float, float]) -> LandmarkSet:
    lms = []
    for name, p in points.items():
        vis = p[2] if len(p) == 3 else 1.0
        source = (
            CLIN
            if name
            in (
                "c7_spinous",
                "left_tragus",
                "right_tragus",
                "left_acromion",
                "right_acromion",
                "left_asis",
                "right_asis",
                "left_psis",
                "right_psis",
            )
            else LandmarkSource.MODEL
        )
        lms.append(Landmark(name, p[0], p[1], visibility=vis, source=source))
    return LandmarkSet(view, W, H, tuple(lms))


def value(points: LandmarkSet, name: str, **kw: object) -> float | None:
    return compute_metrics(points, **kw).get(name).value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("view", "left", "right", "expected"),
    [
        # anterior: patient's left on the image right; left 10 px higher over 100 px: atan(0.1)
        pytest.param(View.ANTERIOR, (250, 190), (150, 200), 5.710593, id="anterior-left-high"),
        pytest.param(View.ANTERIOR, (250, 210), (150, 200), -5.710593, id="anterior-left-low"),
        pytest.param(View.ANTERIOR, (250, 200), (150, 200), 0.0, id="anterior-level"),
        # 100 px up over 100 px across: 45°
        pytest.param(View.ANTERIOR, (200, 100), (100, 200), 45.0, id="anterior-45"),
        # posterior: patient's left on the image left; still positive when left is higher
        pytest.param(View.POSTERIOR, (150, 190), (250, 200), 5.710593, id="posterior-left-high"),
        pytest.param(View.POSTERIOR, (150, 210), (250, 200), -5.710593, id="posterior-left-low"),
    ],
)
@pytest.mark.parametrize(
    ("metric", "pair"),
    [
        ("shoulder_tilt_deg", ("left_shoulder", "right_shoulder")),
        ("head_tilt_ears_deg", ("left_ear", "right_ear")),
        ("head_tilt_eyes_deg", ("left_eye", "right_eye")),
        ("hip_tilt_deg", ("left_hip", "right_hip")),
        ("knee_tilt_deg", ("left_knee", "right_knee")),
    ],
)
def test_frontal_line_angle_sign(
    view: View,
    left: tuple[float, float],
    right: tuple[float, float],
    expected: float,
    metric: str,
    pair: tuple[str, str],
) -> None:
    points = lset(view, **{pair[0]: left, pair[1]: right})
    result = value(points, metric)
    assert result == pytest.approx(expected, abs=1e-5)


def test_crossed_sides_give_a_reason_not_a_folded_angle() -> None:
    # Anterior photo, but the "left" shoulder is on the image left: wrong view or swapped labels.
    points = lset(View.ANTERIOR, left_shoulder=(150, 200), right_shoulder=(250, 200))
    metric = compute_metrics(points).get("shoulder_tilt_deg")
    assert metric.value is None
    assert [r.code for r in metric.reasons] == ["geometry.not_left_of"]
    # A clinician's crossed points are not judged by the side check; the pair check names them.
    clinician = LandmarkSet(
        View.ANTERIOR,
        W,
        H,
        (
            Landmark("left_shoulder", 150, 200, source=CLIN),
            Landmark("right_shoulder", 250, 200, source=CLIN),
        ),
    )
    metric = compute_metrics(clinician).get("shoulder_tilt_deg")
    assert metric.value is None
    assert metric.reason is not None and "left_shoulder" in metric.reason


def rotate_ccw(x: float, y: float, theta_deg: float) -> tuple[float, float]:
    """Rotate counter-clockwise *as displayed* (y down) about the image centre."""
    t = math.radians(theta_deg)
    dx, dy = x - W / 2, y - H / 2
    return W / 2 + dx * math.cos(t) + dy * math.sin(t), H / 2 - dx * math.sin(t) + dy * math.cos(t)


@pytest.mark.parametrize("theta", [3.0, 10.0, -7.0])
@pytest.mark.parametrize(
    ("view", "left", "right", "growth"),
    [
        # Sign rule: on an anterior photo rotated CCW by θ every frontal line angle grows by θ
        pytest.param(View.ANTERIOR, (600, 480), (400, 500), 1.0, id="anterior-grows"),
        # posterior: the patient's left is on the image left, so the same rotation lowers it
        pytest.param(View.POSTERIOR, (400, 480), (600, 500), -1.0, id="posterior-shrinks"),
    ],
)
def test_rotation_by_theta_shifts_the_angle(
    theta: float, view: View, left: tuple[float, float], right: tuple[float, float], growth: float
) -> None:
    before = value(lset(view, left_shoulder=left, right_shoulder=right), "shoulder_tilt_deg")
    rotated = lset(
        view, left_shoulder=rotate_ccw(*left, theta), right_shoulder=rotate_ccw(*right, theta)
    )
    after = value(rotated, "shoulder_tilt_deg")
    assert before is not None and after is not None
    assert after - before == pytest.approx(growth * theta, abs=1e-9)


@pytest.mark.parametrize("view", [View.ANTERIOR, View.POSTERIOR])
def test_mirrored_photo_negates_line_angles(view: View) -> None:
    # A mirror maps x to W - x and the model then names each point after the other side.
    original = {
        "left_ear": (560, 95),
        "right_ear": (440, 110),
        "left_shoulder": (620, 200),
        "right_shoulder": (380, 190),
    }
    if view is View.POSTERIOR:
        original = {k: (W - x, y) for k, (x, y) in original.items()}
    mirrored = {mirror_name(k): (W - x, y) for k, (x, y) in original.items()}
    for metric in ("head_tilt_ears_deg", "shoulder_tilt_deg"):
        a = value(lset(view, **original), metric)
        b = value(lset(view, **mirrored), metric)
        assert a is not None and b is not None and a != 0
        assert b == pytest.approx(-a, abs=1e-9)


SHIFT_POINTS = {
    "left_eye": (260, 100),
    "right_eye": (240, 100),  # eye midpoint x = 250
    "left_shoulder": (300, 200),
    "right_shoulder": (180, 200),  # midpoint 240, width 120
    "left_hip": (290, 400),
    "right_hip": (210, 400),  # midpoint 250, width 80
}


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        # anterior: +x is the patient's left. (250 - 240) / 120 = +8.333 %
        pytest.param("lateral_head_shift_pct", 100 * 10 / 120, id="head-shift-pct"),
        # (240 - 250) / 80 = -12.5 % (shoulders toward the patient's right)
        pytest.param("trunk_shift_pct", -12.5, id="trunk-shift-pct"),
        # calibration 100 px = 50 mm -> 0.5 mm/px: 10 px = 5 mm, -10 px = -5 mm
        pytest.param("lateral_head_shift_mm", 5.0, id="head-shift-mm"),
        pytest.param("trunk_shift_mm", -5.0, id="trunk-shift-mm"),
    ],
)
def test_frontal_shifts_anterior(metric: str, expected: float) -> None:
    cal = Calibration(0, 0, 100, 0, 50.0)
    got = value(lset(View.ANTERIOR, **SHIFT_POINTS), metric, calibration=cal)
    assert got == pytest.approx(expected, abs=1e-9)


def test_frontal_shift_posterior_is_toward_patients_left() -> None:
    # Posterior: the patient's left is on the image left. Eye midpoint 10 px to the image LEFT
    # of the shoulder midpoint = 10 px toward the patient's left: +10/120 = +8.333 %.
    pts = {
        "left_eye": (240, 100),
        "right_eye": (220, 100),
        "left_shoulder": (180, 200),
        "right_shoulder": (300, 200),
    }
    assert value(lset(View.POSTERIOR, **pts), "lateral_head_shift_pct") == pytest.approx(
        100 * 10 / 120
    )


def test_mm_metrics_need_a_calibration() -> None:
    metric = compute_metrics(lset(View.ANTERIOR, **SHIFT_POINTS)).get("trunk_shift_mm")
    assert metric.value is None and metric.reason is not None and "calibration" in metric.reason


LATERAL = {
    # right view: patient faces +x. ear 30 px forward and 100 px above the shoulder.
    View.RIGHT: {
        "right_ear": (330, 100),
        "right_shoulder": (300, 200),
        "right_hip": (310, 500),
        "right_ankle": (300, 900),
        "c7_spinous": (280, 150),
    },
    # left view: patient faces -x; the same posture mirrored.
    View.LEFT: {
        "left_ear": (670, 100),
        "left_shoulder": (700, 200),
        "left_hip": (690, 500),
        "left_ankle": (700, 900),
        "c7_spinous": (720, 150),
    },
}


@pytest.mark.parametrize("view", [View.RIGHT, View.LEFT])
@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        # atan(30 / 100): ear in front of the shoulder -> positive
        pytest.param("ear_shoulder_angle_deg", math.degrees(math.atan2(30, 100)), id="ear-sh"),
        # tragus (ear proxy) 50 px forward and 50 px above C7: 45°
        pytest.param("craniovertebral_angle_deg", 45.0, id="cva"),
        # forward offsets over the ankle in % of the ankle-shoulder height (700 px)
        pytest.param("ear_ankle_offset_pct", 100 * 30 / 700, id="ear-offset"),
        pytest.param("shoulder_ankle_offset_pct", 0.0, id="shoulder-offset"),
        pytest.param("hip_ankle_offset_pct", 100 * 10 / 700, id="hip-offset"),
        # 0.5 mm/px
        pytest.param("ear_ankle_offset_mm", 15.0, id="ear-offset-mm"),
    ],
)
def test_lateral_metrics(view: View, metric: str, expected: float) -> None:
    cal = Calibration(0, 0, 0, 100, 50.0)
    assert value(lset(view, **LATERAL[view]), metric, calibration=cal) == pytest.approx(
        expected, abs=1e-9
    )


def test_cva_prefers_a_clinician_tragus_and_needs_c7() -> None:
    pts = dict(LATERAL[View.RIGHT])
    pts["right_tragus"] = (330, 150)  # level with C7, 50 px forward: 0°
    assert value(lset(View.RIGHT, **pts), "craniovertebral_angle_deg") == pytest.approx(0.0)
    del pts["c7_spinous"]
    metric = compute_metrics(lset(View.RIGHT, **pts)).get("craniovertebral_angle_deg")
    assert metric.value is None and metric.reason is not None and "c7_spinous" in metric.reason


def test_clinician_acromions_replace_model_shoulders() -> None:
    pts = {
        "left_shoulder": (600, 200),
        "right_shoulder": (400, 200),
        "left_acromion": (600, 180),
        "right_acromion": (400, 200),
    }
    # acromions: left 20 px higher over 200 px: atan(0.1)
    assert value(lset(View.ANTERIOR, **pts), "shoulder_tilt_deg") == pytest.approx(5.710593)


def test_pelvic_tilt_uses_asis_anterior_psis_posterior() -> None:
    anterior = lset(View.ANTERIOR, left_asis=(600, 490), right_asis=(500, 500))
    assert value(anterior, "pelvic_tilt_deg") == pytest.approx(5.710593)
    posterior = lset(View.POSTERIOR, left_asis=(400, 490), right_asis=(500, 500))
    metric = compute_metrics(posterior).get("pelvic_tilt_deg")
    assert metric.value is None and metric.reason is not None and "left_psis" in metric.reason


@pytest.mark.parametrize(
    ("visibility", "usable"),
    [
        pytest.param(0.79, False, id="below-0.8"),  # the visibility gate: < 0.8 is not used
        pytest.param(0.8, True, id="at-0.8"),
    ],
)
def test_visibility_gate(visibility: float, usable: bool) -> None:
    points = lset(View.ANTERIOR, left_hip=(600, 500, visibility), right_hip=(400, 500))
    metric = compute_metrics(points).get("hip_tilt_deg")
    assert (metric.value is not None) is usable
    if not usable:
        assert metric.reason is not None and "left_hip" in metric.reason


def test_point_outside_the_image_is_named() -> None:
    points = lset(View.ANTERIOR, left_knee=(600, 1200), right_knee=(400, 900))
    metric = compute_metrics(points).get("knee_tilt_deg")
    assert metric.value is None and metric.reason == "left_knee is outside the image"


def test_missing_point_is_named() -> None:
    metric = compute_metrics(lset(View.ANTERIOR)).get("head_tilt_eyes_deg")
    assert metric.reason == "left_eye was not found; right_eye was not found"


def test_uncertainty_propagates_from_point_uncertainty() -> None:
    # Level line 100 px long, each end ±1 px: sigma = sqrt(1 + 1) / 100 rad = 0.8103°.
    # Pass spread only (the model-error term is tested in test_posture_truth.py).
    points = LandmarkSet(
        View.ANTERIOR,
        W,
        H,
        (
            Landmark("left_shoulder", 250, 200, uncertainty_px=1.0),
            Landmark("right_shoulder", 150, 200, uncertainty_px=1.0),
        ),
    )
    config = PostureConfig(model_error_torso_fraction=None)
    metric = compute_metrics(points, config=config).get("shoulder_tilt_deg")
    assert metric.uncertainty == pytest.approx(math.degrees(math.sqrt(2) / 100), rel=1e-4)


def test_unknown_model_uncertainty_stays_unknown() -> None:
    points = lset(View.ANTERIOR, left_shoulder=(250, 200), right_shoulder=(150, 200))
    assert compute_metrics(points).get("shoulder_tilt_deg").uncertainty is None


def test_every_view_lists_its_metrics_with_the_algorithm() -> None:
    result = compute_metrics(lset(View.LEFT))
    assert result.algorithm.label == "posture.photo_metrics@2"
    assert [m.name for m in result.metrics][:2] == [
        "ear_shoulder_angle_deg",
        "craniovertebral_angle_deg",
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"name": "spleen", "x_px": 1, "y_px": 1}, id="unknown-name"),
        pytest.param({"name": "nose", "x_px": math.nan, "y_px": 1}, id="nan"),
        pytest.param({"name": "nose", "x_px": 1, "y_px": 1, "visibility": 1.2}, id="visibility"),
        pytest.param({"name": "c7_spinous", "x_px": 1, "y_px": 1}, id="model-c7"),
        pytest.param({"name": "nose", "x_px": 1, "y_px": 1, "moved_by": "kim"}, id="moved-model"),
    ],
)
def test_invalid_landmarks_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Landmark(**kwargs)  # type: ignore[arg-type]


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError):
        LandmarkSet(View.ANTERIOR, W, H, (Landmark("nose", 1, 1), Landmark("nose", 2, 2)))
