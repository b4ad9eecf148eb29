"""Structured reasons for missing posture values: every code, from hand-built landmark sets.

Each case builds the landmarks by hand so that exactly one cause applies (docs/posture.md
"Quality gate" and "Reason codes"), and checks both the structured ``Reason`` and the English
``reason`` text. The expected English strings are written out in full: they are the CLI's stable
JSON output (docs/cli.md) and must not change with the structured form.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from atlaschart.measure.posture import (
    CALIBRATION_MISSING,
    CHANGE_NO_AFTER_VALUE,
    CHANGE_NO_BEFORE_VALUE,
    CHANGE_NO_MDC,
    GEOMETRY_NOT_BELOW,
    GEOMETRY_NOT_LEFT_OF,
    POINT_LOW_VISIBILITY,
    POINT_NOT_FOUND,
    POINT_NOT_PLACED,
    POINT_OUTSIDE_IMAGE,
    REASON_CODES,
    SHOTS_PARTIAL,
    SIDES_UNCLEAR,
    SIDES_WRONG_VIEW,
    Landmark,
    LandmarkSet,
    LandmarkSource,
    Metric,
    Reason,
    Verdict,
    View,
    combine_shots,
    compare_metric,
    compute_metrics,
    reasons_from_json,
)

W, H = 1000, 1000
DOCS = Path(__file__).resolve().parents[3] / "docs" / "posture.md"


def model(name: str, x: float, y: float, visibility: float = 0.99) -> Landmark:
    return Landmark(name, x, y, visibility=visibility, source=LandmarkSource.MODEL)


def lset(view: View, *points: Landmark) -> LandmarkSet:
    return LandmarkSet(view, W, H, points)


# Anterior: the patient's left on the image's right, shoulders level 200 px apart.
LEVEL = (model("left_shoulder", 600, 300), model("right_shoulder", 400, 300))


def test_missing_model_points_are_not_found() -> None:
    metric = compute_metrics(lset(View.ANTERIOR, *LEVEL)).get("head_tilt_ears_deg")
    assert metric.value is None
    assert metric.reasons == (
        Reason(POINT_NOT_FOUND, ("left_ear",)),
        Reason(POINT_NOT_FOUND, ("right_ear",)),
    )
    assert metric.reason == "left_ear was not found; right_ear was not found"


def test_missing_clinician_points_are_not_placed() -> None:
    # Pelvic tilt uses only the clinician's ASIS on an anterior photo (docs/posture.md).
    metric = compute_metrics(lset(View.ANTERIOR, *LEVEL)).get("pelvic_tilt_deg")
    assert metric.reasons == (
        Reason(POINT_NOT_PLACED, ("left_asis",)),
        Reason(POINT_NOT_PLACED, ("right_asis",)),
    )
    assert metric.reason == (
        "left_asis was not placed (a clinician places this point); "
        "right_asis was not placed (a clinician places this point)"
    )


def test_a_point_off_the_photo_is_outside_the_image() -> None:
    points = lset(View.ANTERIOR, model("left_knee", 1200, 800), model("right_knee", 400, 800))
    metric = compute_metrics(points).get("knee_tilt_deg")
    assert metric.reasons == (Reason(POINT_OUTSIDE_IMAGE, ("left_knee",)),)
    assert metric.reason == "left_knee is outside the image"
    assert metric.points == ("left_knee", "right_knee")


def test_a_model_point_below_the_visibility_threshold() -> None:
    # 0.22: an out-of-frame hip as the model reported it ([atlaschart-pose-precision]); gate 0.8.
    points = lset(View.ANTERIOR, model("left_hip", 580, 600, 0.22), model("right_hip", 420, 600))
    metric = compute_metrics(points).get("hip_tilt_deg")
    assert metric.reasons == (Reason(POINT_LOW_VISIBILITY, ("left_hip",), (0.22, 0.8)),)
    assert metric.reason == "left_hip visibility 0.22 is below 0.80"


def test_several_problems_are_all_named_in_point_order() -> None:
    points = lset(View.ANTERIOR, model("left_hip", 1001, 600), model("right_hip", 420, 600, 0.5))
    metric = compute_metrics(points).get("hip_tilt_deg")
    assert [r.code for r in metric.reasons] == [POINT_OUTSIDE_IMAGE, POINT_LOW_VISIBILITY]
    assert metric.reason == (
        "left_hip is outside the image; right_hip visibility 0.50 is below 0.80"
    )


def test_mm_values_without_calibration() -> None:
    metric = compute_metrics(lset(View.ANTERIOR, *LEVEL)).get("trunk_shift_mm")
    assert metric.reasons == (Reason(CALIBRATION_MISSING),)
    assert metric.reason == "no calibration: mm values need a scale"


@pytest.mark.parametrize("view", [View.ANTERIOR, View.POSTERIOR])
def test_frontal_points_on_the_wrong_sides(view: View) -> None:
    # The patient's left shoulder placed on the side where the right one belongs for the view
    # (anterior: the left point must be on the image's right; posterior: on the image's left).
    left_x, right_x = (400, 600) if view is View.ANTERIOR else (600, 400)
    points = lset(view, model("left_shoulder", left_x, 300), model("right_shoulder", right_x, 300))
    metric = compute_metrics(points).get("shoulder_tilt_deg")
    assert metric.value is None
    assert metric.reasons == (
        Reason(GEOMETRY_NOT_LEFT_OF, ("left_shoulder", "right_shoulder"), view=view),
    )
    assert metric.reason == (
        f"left_shoulder is not on the patient's left of right_shoulder in an {view.value} view: "
        "check the view or the point labels"
    )


def test_lateral_ankle_above_the_shoulder() -> None:
    # Left lateral view: ear, shoulder, and an ankle placed 100 px ABOVE the shoulder, so the
    # ankle-to-shoulder height (the % denominator) is negative.
    points = lset(
        View.LEFT,
        model("left_ear", 500, 150),
        model("left_shoulder", 510, 300),
        model("left_ankle", 520, 200),
    )
    metric = compute_metrics(points).get("ear_ankle_offset_pct")
    assert metric.reasons == (Reason(GEOMETRY_NOT_BELOW, ("left_ankle", "left_shoulder")),)
    assert metric.reason == "left_ankle is not below left_shoulder: check the points"


def test_change_without_a_before_or_after_value_keeps_the_metrics_reasons() -> None:
    without_ears = compute_metrics(lset(View.ANTERIOR, *LEVEL)).get("head_tilt_ears_deg")
    with_ears = compute_metrics(
        lset(View.ANTERIOR, *LEVEL, model("left_ear", 560, 100), model("right_ear", 440, 100))
    ).get("head_tilt_ears_deg")
    assert with_ears.value == pytest.approx(0.0)  # level ears

    change = compare_metric(without_ears, with_ears)
    assert change.verdict is Verdict.UNKNOWN
    assert change.reasons == (Reason(CHANGE_NO_BEFORE_VALUE, detail=without_ears.reasons),)
    assert change.reason == "no before value: left_ear was not found; right_ear was not found"

    change = compare_metric(with_ears, without_ears)
    assert change.reasons == (Reason(CHANGE_NO_AFTER_VALUE, detail=without_ears.reasons),)
    assert change.reason == "no after value: left_ear was not found; right_ear was not found"


def test_change_of_a_metric_known_only_as_text_has_no_structured_reason() -> None:
    # e.g. read from an old cache: the English text is all there is, and it is kept.
    old = Metric("hip_tilt_deg", None, "deg", reason="left_hip was not found")
    now = Metric("hip_tilt_deg", 1.0, "deg", uncertainty=0.5)
    change = compare_metric(old, now)
    assert change.reasons == ()
    assert change.reason == "no before value: left_hip was not found"


def test_change_without_mdc_or_uncertainty() -> None:
    # Shifts have no default MDC95 (change.py); model points without uncertainty_px and the
    # default config give no uncertainty, so nothing can judge the change.
    def head_shift(eye_dx: float) -> Metric:
        points = lset(
            View.ANTERIOR,
            *LEVEL,
            model("left_eye", 540 + eye_dx, 150),
            model("right_eye", 460 + eye_dx, 150),
        )
        return compute_metrics(points).get("lateral_head_shift_pct")

    before, after = head_shift(0), head_shift(20)
    # Eye midpoint 20 px toward the patient's left over a 200 px shoulder width: +10 %.
    assert (before.value, after.value) == (pytest.approx(0.0), pytest.approx(10.0))
    assert before.uncertainty is None
    change = compare_metric(before, after)
    assert change.verdict is Verdict.UNKNOWN
    assert change.reasons == (Reason(CHANGE_NO_MDC),)
    assert change.reason == "no MDC configured and the uncertainty is unknown"


def test_a_value_combined_from_some_shots_says_how_many() -> None:
    # Two shots; the second has no shoulders, so shoulder tilt comes from the first alone: its
    # value (0° for level shoulders) with a note, not a missing value.
    with_shoulders = compute_metrics(lset(View.ANTERIOR, *LEVEL))
    without = compute_metrics(lset(View.ANTERIOR))
    metric = combine_shots([with_shoulders, without]).get("shoulder_tilt_deg")
    assert metric.value == pytest.approx(0.0)
    assert metric.reasons == (Reason(SHOTS_PARTIAL, values=(1, 2)),)
    assert metric.reason == "combined from 1 of 2 shots"


def test_side_check_reasons_stop_every_metric() -> None:
    # A back view declared anterior (face hidden) and a photo whose shoulders and hips disagree.
    face_hidden = {n: 0.1 for n in ("nose", "left_eye", "right_eye")}
    points = LandmarkSet(
        View.ANTERIOR,
        1000,
        1500,
        (
            *tuple(Landmark(n, 500, 200, v) for n, v in face_hidden.items()),
            Landmark("left_shoulder", 600, 400),
            Landmark("right_shoulder", 400, 400),
        ),
    )
    metric = compute_metrics(points).get("shoulder_tilt_deg")
    assert metric.reasons == (Reason(SIDES_WRONG_VIEW, view=View.POSTERIOR),)
    assert metric.reason == "this looks like a back view; choose posterior"
    mixed = LandmarkSet(
        View.ANTERIOR,
        1000,
        1500,
        (
            Landmark("left_shoulder", 600, 400),
            Landmark("right_shoulder", 400, 400),
            Landmark("left_hip", 450, 800),
            Landmark("right_hip", 550, 800),
        ),
    )
    result = compute_metrics(mixed)
    assert all(m.reasons == (Reason(SIDES_UNCLEAR),) for m in result.metrics)


def test_every_code_is_exercised_above_and_documented() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    names = {
        POINT_NOT_FOUND: "POINT_NOT_FOUND",
        POINT_NOT_PLACED: "POINT_NOT_PLACED",
        POINT_OUTSIDE_IMAGE: "POINT_OUTSIDE_IMAGE",
        POINT_LOW_VISIBILITY: "POINT_LOW_VISIBILITY",
        CALIBRATION_MISSING: "CALIBRATION_MISSING",
        GEOMETRY_NOT_LEFT_OF: "GEOMETRY_NOT_LEFT_OF",
        GEOMETRY_NOT_BELOW: "GEOMETRY_NOT_BELOW",
        CHANGE_NO_BEFORE_VALUE: "CHANGE_NO_BEFORE_VALUE",
        CHANGE_NO_AFTER_VALUE: "CHANGE_NO_AFTER_VALUE",
        CHANGE_NO_MDC: "CHANGE_NO_MDC",
        SHOTS_PARTIAL: "SHOTS_PARTIAL",
        SIDES_WRONG_VIEW: "SIDES_WRONG_VIEW",
        SIDES_UNCLEAR: "SIDES_UNCLEAR",
    }
    assert set(names) == REASON_CODES  # a new code needs a case here
    for code, constant in names.items():
        assert f"Reason({constant}" in source, code
    docs = DOCS.read_text(encoding="utf-8")
    section = docs.split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    for code in REASON_CODES:
        assert f"`{code}`" in section, code


def test_reasons_survive_a_json_round_trip() -> None:
    metric = compute_metrics(
        lset(View.ANTERIOR, model("left_shoulder", 400, 300), model("right_shoulder", 600, 300))
    ).get("shoulder_tilt_deg")
    change = compare_metric(metric, compute_metrics(lset(View.ANTERIOR, *LEVEL)).get(metric.name))
    stored = [r.to_json() for r in change.reasons]
    assert stored == [
        {
            "code": "change.no_before_value",
            "detail": [
                {
                    "code": "geometry.not_left_of",
                    "points": ["left_shoulder", "right_shoulder"],
                    "view": "anterior",
                }
            ],
        }
    ]
    assert reasons_from_json(stored) == change.reasons


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(None, id="absent-old-cache"),
        pytest.param("left_hip was not found", id="text-not-a-list"),
        pytest.param([{"code": "point.renamed_later", "points": ["left_hip"]}], id="unknown-code"),
        pytest.param([{"code": "point.not_found"}], id="point-missing"),
        pytest.param([{"code": "point.not_found", "points": "left_hip"}], id="points-a-string"),
        pytest.param(
            [{"code": "point.low_visibility", "points": ["left_hip"], "values": [0.2, True]}],
            id="bool-not-a-number",
        ),
        pytest.param(
            [{"code": "geometry.not_left_of", "points": ["a", "b"], "view": "sideways"}],
            id="unknown-view",
        ),
        pytest.param(
            [{"code": "change.no_before_value", "detail": [{"code": "nope"}]}],
            id="bad-detail",
        ),
    ],
)
def test_unreadable_stored_reasons_give_none_not_an_error(stored: object) -> None:
    # The pages then show the English text instead.
    assert reasons_from_json(stored) == ()


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"code": "point.typo", "points": ("left_hip",)}, id="unknown-code"),
        pytest.param({"code": POINT_NOT_FOUND}, id="no-point"),
        pytest.param({"code": POINT_LOW_VISIBILITY, "points": ("left_hip",)}, id="no-values"),
        pytest.param(
            {"code": POINT_LOW_VISIBILITY, "points": ("a",), "values": (float("nan"), 0.8)},
            id="nan",
        ),
        pytest.param({"code": GEOMETRY_NOT_LEFT_OF, "points": ("a", "b")}, id="no-view"),
        pytest.param({"code": CALIBRATION_MISSING, "view": View.LEFT}, id="view-not-used"),
        pytest.param({"code": CHANGE_NO_AFTER_VALUE}, id="no-detail"),
    ],
)
def test_a_reason_of_the_wrong_shape_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Reason(**kwargs)  # type: ignore[arg-type]


def test_a_rewritten_text_is_kept_beside_the_structured_reasons() -> None:
    # The CLI prefixes "no person found" to the text (commands/posture.py); the codes stay.
    metric = compute_metrics(lset(View.ANTERIOR, *LEVEL)).get("hip_tilt_deg")
    rewritten = dataclasses.replace(metric, reason=f"no person found; {metric.reason}")
    assert rewritten.reason == "no person found; left_hip was not found; right_hip was not found"
    assert rewritten.reasons == metric.reasons
