"""Calibration, fits, profiles, rule tables, pre/post comparison and ¼° display (hand-worked)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from atlaschart.measure.radiograph import (
    GENERIC_ORTHOGONAL,
    IMPLEMENTED,
    ProfileError,
    analyse,
    analyse_dict,
    calibration_from_dicom,
    compare,
    evaluate,
    format_quarter_deg,
    landmarks_from_dict,
    magnification_factor,
    manual_calibration,
    profile_from_dict,
    quarter_deg,
)
from atlaschart.measure.radiograph.geometry import (
    fit_circle,
    fit_line_tls,
    signed_angle_deg,
    wrap90,
)
from atlaschart.measure.radiograph.listing import rule_table_from_dict
from atlaschart.measure.radiograph.profiles import GENERIC_ORTHOGONAL_DATA

# --- calibration (DICOM PS3.3 C.8.11.7; docs/radiograph.md: mm = x·col/mag, y·row/mag) ----------


def test_pixel_spacing_wins_and_is_not_magnification_corrected() -> None:
    cal = calibration_from_dicom([0.2, 0.1], [0.25, 0.25], sid_mm=1800, sod_mm=1500)
    assert (cal.source, cal.magnification) == ("PixelSpacing", 1.0)
    # x = 100 px · 0.1 = 10 mm; y = 50 px · 0.2 = 10 mm.
    assert cal.to_mm(100, 50) == pytest.approx((10.0, 10.0))


def test_imager_spacing_divided_by_sid_over_sod() -> None:
    # M = 1800 / 1500 = 1.2; 100 px · 0.15 / 1.2 = 12.5 mm.
    cal = calibration_from_dicom(None, [0.15, 0.15], sid_mm=1800, sod_mm=1500)
    assert cal.source == "ImagerPixelSpacing"
    assert cal.magnification == pytest.approx(1.2)
    assert cal.distance_mm((0, 0), (100, 0)) == pytest.approx(12.5)


def test_imager_spacing_uses_estimated_factor_then_warns() -> None:
    estimated = calibration_from_dicom(None, [0.1, 0.1], estimated_magnification=1.1)
    assert estimated.magnification == 1.1
    bare = calibration_from_dicom(None, [0.1, 0.1])
    assert bare.warnings == ("detector-plane-spacing",)


def test_no_spacing_is_uncalibrated() -> None:
    cal = calibration_from_dicom(None, None)
    assert (cal.source, cal.length_unit, cal.warnings) == ("none", "px", ("no-pixel-spacing",))


def test_copied_detector_spacing_is_flagged() -> None:
    cal = calibration_from_dicom([0.1, 0.1], [0.1, 0.1])
    assert cal.warnings == ("pixel-spacing-equals-imager-spacing",)


def test_manual_calibration_from_marker() -> None:
    # A 50 mm marker spanning (0,0)-(120,160) = 200 px -> 0.25 mm/px.
    cal = manual_calibration((0, 0), (120, 160), 50.0)
    assert (cal.row_spacing_mm, cal.col_spacing_mm, cal.source) == (0.25, 0.25, "manual")


@pytest.mark.parametrize(("sid", "sod"), [(1000, 1200), (0, 100), (1000, -1)])
def test_impossible_distances_refused(sid: float, sod: float) -> None:
    with pytest.raises(ValueError):
        magnification_factor(sid, sod)


# --- geometry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(0, 0), (90, 90), (-90, 90), (135, -45), (-135, 45), (180, 0), (270, 90), (91, -89)],
)
def test_wrap90(angle: float, expected: float) -> None:
    # Lines are undirected: θ and θ ± 180° are the same line.
    assert wrap90(angle) == pytest.approx(expected)


def test_signed_angle_is_counter_clockwise_positive() -> None:
    assert signed_angle_deg((1, 0), (0, 1)) == pytest.approx(90)
    assert signed_angle_deg((1, 0), (1, -1)) == pytest.approx(-45)


def test_tls_line_is_orthogonal_not_vertical_regression() -> None:
    # A vertical line x = 3: regression of y on x is undefined here, TLS gives direction (0, ±1).
    fit = fit_line_tls([(3, 0), (3, 1), (3, 5)])
    assert abs(fit.direction[0]) == pytest.approx(0, abs=1e-12)
    assert fit.max_residual == pytest.approx(0, abs=1e-12)


def test_circle_fit_through_three_points() -> None:
    # Circumcircle of (0,0), (4,0), (0,3): right angle at the origin -> centre (2, 1.5), r = 2.5.
    fit = fit_circle([(0, 0), (4, 0), (0, 3)])
    assert fit.center == pytest.approx((2, 1.5))
    assert fit.radius == pytest.approx(2.5)
    assert fit.rms == pytest.approx(0, abs=1e-9)


# --- profiles and rule tables ----------------------------------------------------------------


def test_generic_profile_has_the_documented_views_and_constructs() -> None:
    assert [v.name for v in GENERIC_ORTHOGONAL.views] == ["nasium", "vertex", "lateral"]
    assert {c.name for c in GENERIC_ORTHOGONAL.view("nasium").constructs} == IMPLEMENTED["nasium"]
    assert GENERIC_ORTHOGONAL.label == "uc.generic-orthogonal@1"
    assert GENERIC_ORTHOGONAL.rule_table("nasium") is None  # nothing invented


def test_profile_may_report_a_subset() -> None:
    data: dict[str, Any] = {
        "id": "clinic.simple",
        "version": "2",
        "title": "Laterality only",
        "views": [dict(GENERIC_ORTHOGONAL_DATA["views"][0])],
    }
    data["views"][0]["constructs"] = [
        c for c in data["views"][0]["constructs"] if c["name"] == "atlas_laterality_deg"
    ]
    profile = profile_from_dict(data, IMPLEMENTED)
    marks = landmarks_from_dict(
        {
            "view": "nasium",
            "points": {
                "apl_right": [0, 0],
                "apl_left": [10, 0],
                "skull_pairs": [[[0, 0], [10, 0]], [[0, 10], [10, 10]]],
            },
        }
    )
    result = analyse(marks, profile)
    assert [v.name for v in result.values] == ["atlas_laterality_deg"]
    assert result.algorithm.label == "clinic.simple.nasium@2"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"views": [{"name": "apom"}]}, id="unimplemented-view"),
        pytest.param(
            {
                "views": [
                    {
                        "name": "vertex",
                        "constructs": [
                            {
                                "name": "listing",
                                "unit": "deg",
                                "frame": "",
                                "sign": "",
                                "description": "",
                            }
                        ],
                    }
                ]
            },
            id="unimplemented-construct",
        ),
        pytest.param({"version": ""}, id="no-version"),
        pytest.param(
            {
                "rule_tables": [
                    {
                        "id": "t",
                        "version": "1",
                        "view": "vertex",
                        "rules": [{"when": {"atlas_laterality_deg": {"min": 1}}, "listing": "L"}],
                    }
                ]
            },
            id="rule-on-value-of-another-view",
        ),
        pytest.param(
            {
                "rule_tables": [
                    {
                        "id": "t",
                        "version": "1",
                        "view": "vertex",
                        "rules": [
                            {"when": {"atlas_rotation_deg": {"min": 3, "max": 1}}, "listing": "L"}
                        ],
                    }
                ]
            },
            id="rule-min-above-max",
        ),
        pytest.param(
            {
                "rule_tables": [
                    {
                        "id": "t",
                        "version": "1",
                        "view": "vertex",
                        "rules": [{"when": {"atlas_rotation_deg": {"side": "up"}}, "listing": "L"}],
                    }
                ]
            },
            id="rule-bad-side",
        ),
    ],
)
def test_invalid_profiles_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ProfileError):
        profile_from_dict({**GENERIC_ORTHOGONAL_DATA, **change}, IMPLEMENTED)


TABLE = {
    "id": "clinic-listing",
    "version": "1",
    "view": "vertex",
    "rules": [
        {
            "when": {"atlas_rotation_deg": {"side": "left", "min": 0.25}},
            "listing": "clinic-A",
            "vector": {"rotation_deg": 2},
        },
        {"when": {"atlas_rotation_deg": {"side": "right", "min": 0.25}}, "listing": "clinic-B"},
    ],
}


@pytest.mark.parametrize(
    ("values", "listing", "source"),
    [
        pytest.param({"atlas_rotation_deg": (5.71, "left")}, "clinic-A", "rule-table", id="rule-0"),
        pytest.param({"atlas_rotation_deg": (1.0, "right")}, "clinic-B", "rule-table", id="rule-1"),
        # 0.1 is under both minimums: no rule -> the clinician decides.
        pytest.param({"atlas_rotation_deg": (0.1, "left")}, None, "clinician", id="no-match"),
    ],
)
def test_rule_table_first_match(values: Any, listing: str | None, source: str) -> None:
    outcome = evaluate(rule_table_from_dict(TABLE), values)
    assert (outcome.listing, outcome.source) == (listing, source)


def test_profile_with_rule_table() -> None:
    profile = profile_from_dict({**GENERIC_ORTHOGONAL_DATA, "rule_tables": [TABLE]}, IMPLEMENTED)
    table = profile.rule_table("vertex")
    assert table is not None and table.label == "clinic-listing@1"
    assert evaluate(None, {}).source == "clinician"


# --- pre/post --------------------------------------------------------------------------------


def nasium_with_left_end_up(dy: float) -> Any:
    return analyse_dict(
        {
            "view": "nasium",
            "pixel_spacing_mm": [1, 1],
            "points": {
                "apl_right": [100, 500],
                "apl_left": [300, 500 - dy],
                "skull_pairs": [[[50, 100], [350, 100]], [[60, 200], [340, 200]]],
                "plumb_top": [0, 0],
                "plumb_bottom": [0, 100],
            },
        }
    )


def test_pre_post_beyond_error() -> None:
    # pre: atan(10/200) = 2.86 left (+2.86); post: atan(-2/200) = 0.57 right (-0.57).
    # change = -0.57 - 2.86 = -3.43; |3.43| > 1.2 -> beyond.
    result = compare(nasium_with_left_end_up(10), nasium_with_left_end_up(-2))
    row = next(c for c in result.changes if c.name == "atlas_laterality_deg")
    got = (row.pre_signed, row.post_signed, row.change, row.status)
    assert got == (2.86, -0.57, -3.43, "beyond")
    tilt = next(c for c in result.changes if c.name == "head_tilt_deg")
    assert tilt.status == "no-threshold"


def test_pre_post_within_error_and_configurable() -> None:
    # pre 2.86 left, post atan(6/200) = 1.72 left: change -1.14, within 1.2 by default,
    # beyond a configured 1.0.
    pre, post = nasium_with_left_end_up(10), nasium_with_left_end_up(6)
    row = compare(pre, post).changes[1]
    assert (row.name, row.change, row.status) == ("atlas_laterality_deg", -1.14, "within")
    assert compare(pre, post, {"atlas_laterality_deg": 1.0}).changes[1].status == "beyond"


def test_pre_post_refuses_different_views() -> None:
    vertex = analyse_dict(
        {
            "view": "vertex",
            "points": {
                "apl_right": [0, 0],
                "apl_left": [10, 0],
                "skull_anterior": [5, -10],
                "skull_posterior": [5, 10],
            },
        }
    )
    with pytest.raises(ValueError):
        compare(nasium_with_left_end_up(1), vertex)


# --- ¼° display (technique manuals report in ¼°; Gregory & Seeman 1980–81) ---------------------


@pytest.mark.parametrize(
    ("value", "quarter", "text"),
    [
        (1.37, 1.25, "1¼°"),  # 1.37·4 = 5.48 -> 5 -> 1.25
        (1.38, 1.5, "1½°"),  # 5.52 -> 6 -> 1.5
        (0.125, 0.25, "¼°"),  # exact half: away from zero
        (-0.125, -0.25, "−¼°"),
        (0.1, 0.0, "0°"),
        (2.75, 2.75, "2¾°"),
        (-1.5, -1.5, "−1½°"),
    ],
)
def test_quarter_degree(value: float, quarter: float, text: str) -> None:
    assert quarter_deg(value) == quarter
    assert format_quarter_deg(value) == text
    assert not math.copysign(1, quarter_deg(0.1)) < 0  # no "-0"
