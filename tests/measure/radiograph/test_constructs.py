"""Hand-computed tables for every construct of the generic orthogonal profile (docs/radiograph.md).

Synthetic landmark sets in image pixels (x right, y down). The patient's right is on the image
left unless a case says "mirrored". Each expected value is worked by hand in the comment next to
it from the formula of docs/radiograph.md, in the y-up mm frame (y_up = −y·row/M, x = x·col/M).
Reference arctangents: atan(0.05) = 2.8624°, atan(0.1) = 5.7106°, atan(0.25) = 14.0362°,
atan(0.01) = 0.5729°.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from atlaschart.measure.radiograph import GeometryError, LandmarkError, analyse_dict

# Symmetric upright skull: midpoints at x = 200 for y = 100, 200 -> central skull line vertical.
UPRIGHT_PAIRS = [[[50, 100], [350, 100]], [[60, 200], [340, 200]]]


def nasium(**points: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "apl_right": [100, 500],
        "apl_left": [300, 500],
        "skull_pairs": UPRIGHT_PAIRS,
    }
    base.update(points)
    return {"view": "nasium", "pixel_spacing_mm": [1.0, 1.0], "points": base}


def mirrored(data: dict[str, Any], width: float = 1000.0) -> dict[str, Any]:
    """The same patient shown the other way round (PA display): x -> width - x, names unchanged."""
    out = copy.deepcopy(data)

    def flip(v: Any) -> Any:
        if isinstance(v[0], int | float):
            return [width - v[0], v[1]]
        return [flip(p) for p in v]

    out["points"] = {k: flip(v) for k, v in out["points"].items()}
    return out


def value(data: dict[str, Any], name: str) -> tuple[float, str | None]:
    v = analyse_dict(data).value(name)
    return v.value, v.side


NASIUM_CASES = [
    # a = apl_left - apl_right = (200, 10) y-up (left end 10 px higher); c = (0, 1), p = (1, 0)
    # s = atan2(10, 200) = atan(0.05) = 2.86 -> left.
    pytest.param(
        nasium(apl_left=[300, 490]),
        "atlas_laterality_deg",
        (2.86, "left"),
        id="laterality-left-end-higher",
    ),
    # Same with the right end 10 px higher: s = atan2(-10, 200) = -2.86 -> right.
    pytest.param(
        nasium(apl_right=[100, 490]),
        "atlas_laterality_deg",
        (2.86, "right"),
        id="laterality-right-end-higher",
    ),
    # Mirrored display must not change the side: point names carry the patient's side.
    pytest.param(
        mirrored(nasium(apl_left=[300, 490])),
        "atlas_laterality_deg",
        (2.86, "left"),
        id="laterality-mirrored-image",
    ),
    # APL level in the image: a = (200, 0), s = 0 -> side null.
    pytest.param(nasium(), "atlas_laterality_deg", (0.0, None), id="laterality-zero-side-null"),
    # Skull midpoints (200,100) and (210,200): c (y-up, upward) = unit(-10, 100), leaning to the
    # image left = patient right (l = +x). head tilt = atan(10/100) = 5.71, c·h < 0 -> right.
    pytest.param(
        nasium(skull_pairs=[[[50, 100], [350, 100]], [[60, 200], [360, 200]]]),
        "head_tilt_deg",
        (5.71, "right"),
        id="head-tilt-right",
    ),
    pytest.param(
        mirrored(nasium(skull_pairs=[[[50, 100], [350, 100]], [[60, 200], [360, 200]]])),
        "head_tilt_deg",
        (5.71, "right"),
        id="head-tilt-right-mirrored",
    ),
    # Same tilted skull, level APL: a = (200, 0); p ⟂ c, p·l > 0 -> p = unit(100, 10);
    # s = atan2(a·c, a·p) = atan2(-2000, 20000) = -5.71 -> right (left end lower vs the skull).
    pytest.param(
        nasium(skull_pairs=[[[50, 100], [350, 100]], [[60, 200], [360, 200]]]),
        "atlas_laterality_deg",
        (5.71, "right"),
        id="laterality-against-tilted-csl",
    ),
    # Plumb top (110, 0), bottom (100, 1000): u = unit(10, 1000) y-up. Upright skull c = (0, 1):
    # angle = atan(10/1000) = 0.57; h = unit(1000, -10) (h·l > 0), c·h < 0 -> right.
    pytest.param(
        nasium(plumb_top=[110, 0], plumb_bottom=[100, 1000]),
        "head_tilt_deg",
        (0.57, "right"),
        id="head-tilt-against-plumb",
    ),
    # Anisotropic spacing [row 0.2, col 0.1]: a = (200·0.1, 10·0.2) = (20, 2) mm ->
    # atan(2/20) = 5.71 left (not the 2.86 that pixel units would give).
    pytest.param(
        {**nasium(apl_left=[300, 490]), "pixel_spacing_mm": [0.2, 0.1]},
        "atlas_laterality_deg",
        (5.71, "left"),
        id="laterality-anisotropic-spacing",
    ),
    # Lower angle line c7_mid (200, 900) -> c2_center (220, 700): y-up (20, 200); level APL
    # a = (200, 0); p = unit(200, -20); s = atan2(4000, 40000) = atan(0.1) = 5.71 -> left.
    pytest.param(
        nasium(c7_mid=[200, 900], c2_center=[220, 700]),
        "lower_angle_deg",
        (5.71, "left"),
        id="lower-angle",
    ),
    # Midpoints (1,0), (-1,100), (-1,200), (1,300) (+offset 200): Sxy = 0, Syy >> Sxx, so the TLS
    # line is x = 200 and every residual is 1 px; spacing 0.5 mm -> 0.5 mm.
    pytest.param(
        {
            **nasium(
                skull_pairs=[
                    [[101, 0], [301, 0]],
                    [[99, 100], [299, 100]],
                    [[99, 200], [299, 200]],
                    [[101, 300], [301, 300]],
                ]
            ),
            "pixel_spacing_mm": [0.5, 0.5],
        },
        "csl_max_residual_mm",
        (0.5, None),
        id="csl-residual-tls-by-hand",
    ),
    # Points on a circle of radius 100 px (centre 500, 500); spacing 0.1, magnification 1.25:
    # radius = 100·0.1/1.25 = 8.00 mm, rms 0.
    pytest.param(
        {
            **nasium(condyle_arc=[[600, 500], [500, 400], [400, 500]]),
            "pixel_spacing_mm": [0.1, 0.1],
            "magnification": 1.25,
        },
        "condylar_circle_radius_mm",
        (8.0, None),
        id="condylar-circle-radius-mag",
    ),
    # (10,0), (-10,0), (0,12), (0,-12): symmetric in both axes, so the centre is the origin;
    # LS radius = mean distance = 11; radial residuals ±1 -> rms 1.
    pytest.param(
        nasium(axis_arc=[[510, 500], [490, 500], [500, 488], [500, 512]]),
        "axis_circle_radius_mm",
        (11.0, None),
        id="axis-circle-radius-ls",
    ),
    pytest.param(
        nasium(axis_arc=[[510, 500], [490, 500], [500, 488], [500, 512]]),
        "axis_circle_rms_mm",
        (1.0, None),
        id="axis-circle-rms-ls",
    ),
    pytest.param(
        nasium(condyle_arc=[[510, 500], [490, 500], [500, 488], [500, 512]]),
        "condylar_circle_rms_mm",
        (1.0, None),
        id="condylar-circle-rms-ls",
    ),
]


@pytest.mark.parametrize(("data", "name", "expected"), NASIUM_CASES)
def test_nasium_constructs(data: dict[str, Any], name: str, expected: tuple[float, Any]) -> None:
    assert value(data, name) == pytest.approx(expected)


def vertex(**points: Any) -> dict[str, Any]:
    base = {
        "apl_right": [100, 300],
        "apl_left": [300, 300],
        "skull_anterior": [200, 0],
        "skull_posterior": [200, 400],
    }
    base.update(points)
    return {"view": "vertex", "pixel_spacing_mm": [1.0, 1.0], "points": base}


VERTEX_CASES = [
    # f = (0, 1) (anterior at the image top); a = (200, 20) y-up; p = (1, 0);
    # s = atan2(20, 200) = 5.71 -> left (left end more anterior).
    pytest.param(vertex(apl_left=[300, 280]), (5.71, "left"), id="rotation-left-anterior"),
    pytest.param(mirrored(vertex(apl_left=[300, 280])), (5.71, "left"), id="rotation-mirrored"),
    # Right end 5 px more anterior: a = (200, -5); s = -atan(0.025) = -1.43 -> right.
    pytest.param(vertex(apl_right=[100, 295]), (1.43, "right"), id="rotation-right"),
    pytest.param(vertex(), (0.0, None), id="rotation-zero"),
    # Skull line turned: anterior (240, 0), posterior (200, 400): f = unit(40, 400); level APL
    # a = (200, 0): s = atan2(a·f, a·p), a·f = 8000/n, p = unit(400, -40), a·p = 80000/n
    # -> atan(0.1) = 5.71 left.
    pytest.param(
        vertex(skull_anterior=[240, 0]), (5.71, "left"), id="rotation-against-turned-skull"
    ),
]


@pytest.mark.parametrize(("data", "expected"), VERTEX_CASES)
def test_vertex_rotation(data: dict[str, Any], expected: tuple[float, Any]) -> None:
    assert value(data, "atlas_rotation_deg") == pytest.approx(expected)


def lateral(**points: Any) -> dict[str, Any]:
    base = {"atlas_posterior_tubercle": [100, 500], "atlas_anterior_tubercle": [300, 450]}
    base.update(points)
    return {"view": "lateral", "pixel_spacing_mm": [1.0, 1.0], "points": base}


LATERAL_CASES = [
    # d = (200, 50) y-up, u = (0, 1), h = (1, 0): atan(50/200) = 14.04, anterior higher -> +.
    pytest.param(lateral(), 14.04, id="atlas-plane-anterior-up"),
    # Facing the other way: d = (-200, 50), h = (-1, 0): still +14.04.
    pytest.param(
        lateral(atlas_posterior_tubercle=[300, 500], atlas_anterior_tubercle=[100, 450]),
        14.04,
        id="atlas-plane-facing-left",
    ),
    # Anterior lower: d = (200, -50) -> -14.04.
    pytest.param(lateral(atlas_anterior_tubercle=[300, 550]), -14.04, id="atlas-plane-negative"),
    # Plumb top (100, 0), bottom (0, 1000): u = unit(100, 1000); level d = (200, 0);
    # h = unit(1000, -100): atan2(20000, 200000) = atan(0.1) = 5.71.
    pytest.param(
        lateral(atlas_anterior_tubercle=[300, 500], plumb_top=[100, 0], plumb_bottom=[0, 1000]),
        5.71,
        id="atlas-plane-against-plumb",
    ),
]


@pytest.mark.parametrize(("data", "expected"), LATERAL_CASES)
def test_lateral_atlas_plane(data: dict[str, Any], expected: float) -> None:
    assert value(data, "atlas_plane_deg") == pytest.approx((expected, None))


def test_no_plumb_warns_and_plumb_silences() -> None:
    assert "no-plumb-reference" in analyse_dict(nasium()).warnings
    plumbed = analyse_dict(nasium(plumb_top=[0, 0], plumb_bottom=[0, 100]))
    assert "no-plumb-reference" not in plumbed.warnings


def test_output_follows_cli_contract() -> None:
    out = analyse_dict(nasium(apl_left=[300, 490])).to_json()
    assert set(out) == {"view", "algorithm", "values", "warnings"}
    assert out["algorithm"] == "uc.generic-orthogonal.nasium@1"
    assert out["values"]["atlas_laterality_deg"] == {"value": 2.86, "unit": "deg", "side": "left"}
    # Optional constructs only appear when their landmarks do.
    assert "lower_angle_deg" not in out["values"]


def test_without_spacing_lengths_stay_in_pixels() -> None:
    data = nasium(condyle_arc=[[600, 500], [500, 400], [400, 500]])
    del data["pixel_spacing_mm"]
    result = analyse_dict(data)
    assert result.value("condylar_circle_radius_mm").unit == "px"
    assert result.value("condylar_circle_radius_mm").value == 100.0
    assert "no-pixel-spacing" in result.warnings


def test_reversed_apl_names_are_flagged() -> None:
    # apl_left on the patient's right of the skull line: a·p < 0 -> |s| > 90, warn.
    data = nasium(apl_right=[300, 500], apl_left=[100, 490])
    assert "apl-sides-reversed" in analyse_dict(data).warnings


def test_unknown_points_warn() -> None:
    assert "unknown-point:nose" in analyse_dict(nasium(nose=[1, 2])).warnings


BAD_INPUT = [
    pytest.param({"view": "nasium", "points": {"apl_left": [1, 2]}}, LandmarkError, id="missing"),
    pytest.param(nasium(skull_pairs=[[[0, 0], [10, 0]]]), LandmarkError, id="one-pair"),
    pytest.param(nasium(apl_left=[100, 500]), GeometryError, id="coincident-apl"),
    pytest.param(
        nasium(skull_pairs=[[[0, 0], [10, 0]], [[0, 0], [10, 0]]]),
        GeometryError,
        id="coincident-midpoints",
    ),
    pytest.param(nasium(condyle_arc=[[0, 0], [1, 1], [2, 2]]), GeometryError, id="collinear-arc"),
    pytest.param(nasium(condyle_arc=[[0, 0], [1, 1]]), LandmarkError, id="two-point-arc"),
    pytest.param(nasium(plumb_top=[0, 0]), LandmarkError, id="plumb-without-bottom"),
    pytest.param(nasium(c7_mid=[0, 0]), LandmarkError, id="c7-without-c2"),
    pytest.param(nasium(apl_left=[1]), LandmarkError, id="short-point"),
    pytest.param(nasium(apl_left=[True, 1]), LandmarkError, id="bool-coordinate"),
    pytest.param({**nasium(), "pixel_spacing_mm": [0, 1]}, LandmarkError, id="zero-spacing"),
    pytest.param({**nasium(), "magnification": -1}, LandmarkError, id="negative-mag"),
    pytest.param({**nasium(), "view": "apom"}, LandmarkError, id="unknown-view"),
    pytest.param(vertex(skull_anterior=[200, 400]), GeometryError, id="vertex-coincident-skull"),
    # APL parallel to the skull line: no side for p.
    pytest.param(
        vertex(apl_right=[200, 300], apl_left=[200, 100]), GeometryError, id="vertex-apl-parallel"
    ),
    # Vertical tubercle line: no horizontal side to measure against.
    pytest.param(lateral(atlas_anterior_tubercle=[100, 400]), GeometryError, id="lateral-vertical"),
]


@pytest.mark.parametrize(("data", "error"), BAD_INPUT)
def test_bad_input_is_refused(data: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        analyse_dict(data)
