"""Error figures of single analyses, hand-computed (formulas in ``uncertainty.py``).

Examiner SD 0.45° for atlas laterality: Rochester 1994 (CRJ 3(1):23–31), median intra-examiner SD.
Placement: s = step/√12 with step = spacing / M; a two-point line of length L has direction SD
√2·s/L rad; the central skull line through midpoints tᵢ along it has SD (s/√2)/√Σtᵢ² rad.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from atlaschart.measure.radiograph import analyse, landmarks_from_dict
from atlaschart.measure.radiograph.uncertainty import (
    DEFAULT_EXAMINER_SD_DEG,
    SOURCE_BY_ANALOGY,
    SOURCE_CLINIC,
    SOURCE_PUBLISHED,
    construct_errors,
)


def _nasium(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "view": "nasium",
        "pixel_spacing_mm": [0.5, 0.5],
        "points": {
            "apl_right": [100, 500],
            "apl_left": [300, 500],
            # midpoints (200, 100) and (200, 200) px = 50 mm apart: t = ±25 mm, Σt² = 1250 mm²
            "skull_pairs": [[[50, 100], [350, 100]], [[60, 200], [340, 200]]],
        },
    }
    data.update(extra)
    return data


def _errors(data: dict[str, Any], sd: dict[str, float] | None = None) -> dict[str, Any]:
    marks = landmarks_from_dict(data)
    return construct_errors(marks, analyse(marks), sd)


def test_nasium_hand_computed() -> None:
    errors = _errors(_nasium())
    # s = 0.5/√12 = 0.144338 mm. APL 200 px = 100 mm: √2·0.144338/100 = 0.0020412 rad = 0.11695°.
    # CSL: (0.144338/√2)/√1250 = 0.0028868 rad = 0.16540°. Laterality placement
    # √(0.11695² + 0.16540²) = 0.20257 -> 0.20; with 0.45°: √(0.2025 + 0.041035) = 0.49349 -> 0.49.
    lat = errors["atlas_laterality_deg"]
    assert (lat.unit, lat.examiner_sd, lat.placement_sd, lat.total_sd) == ("deg", 0.45, 0.2, 0.49)
    assert lat.examiner_source == SOURCE_PUBLISHED
    # Head tilt: no published examiner SD, placement of the CSL only (image vertical exact).
    tilt = errors["head_tilt_deg"]
    assert (tilt.examiner_sd, tilt.examiner_source, tilt.total_sd) == (None, None, 0.17)
    # csl_max_residual: s/√2 = 0.10206 mm -> 0.10.
    assert errors["csl_max_residual_mm"].total_sd == 0.1
    assert errors["csl_max_residual_mm"].unit == "mm"


def test_angles_do_not_depend_on_magnification_but_lengths_do() -> None:
    data = _nasium(spacing_source="ImagerPixelSpacing", magnification=1.25)
    errors = _errors(data)
    # step 0.5/1.25 = 0.4 mm: L and s scale together, so the angle figures stay as above.
    assert errors["atlas_laterality_deg"].total_sd == 0.49
    # s = 0.4/√12 = 0.11547, /√2 = 0.08165 -> 0.08 mm.
    assert errors["csl_max_residual_mm"].total_sd == 0.08


def test_uncalibrated_lengths_in_pixels() -> None:
    data = _nasium()
    del data["pixel_spacing_mm"]
    errors = _errors(data)
    # s = 1/√12 = 0.28868 px, /√2 = 0.20412 -> 0.2 px.
    assert (errors["csl_max_residual_mm"].unit, errors["csl_max_residual_mm"].total_sd) == (
        "px",
        0.2,
    )


def test_circle_radius_and_rms() -> None:
    arc = [[150, 400], [200, 350], [250, 400], [200, 450]]
    errors = _errors(_nasium(points={**_nasium()["points"], "condyle_arc": arc}))
    # radius: s/√n = 0.144338/2 = 0.07217 -> 0.07 mm; the RMS of a fit has no error figure.
    assert errors["condylar_circle_radius_mm"].total_sd == 0.07
    assert "condylar_circle_rms_mm" not in errors


def test_vertex_rotation_uses_the_laterality_figure_by_analogy() -> None:
    data = {
        "view": "vertex",
        "pixel_spacing_mm": [1.0, 1.0],
        "points": {
            "apl_right": [100, 300],
            "apl_left": [300, 300],
            "skull_anterior": [200, 100],
            "skull_posterior": [200, 500],
        },
    }
    rot = _errors(data)["atlas_rotation_deg"]
    # s = 1/√12 = 0.28868 mm; APL 200 mm: 0.0020412 rad; skull line 400 mm: 0.0010206 rad;
    # √(0.11695² + 0.05848²) = 0.13076 -> 0.13; total √(0.2025 + 0.017098) = 0.46862 -> 0.47.
    assert (rot.placement_sd, rot.total_sd, rot.examiner_source) == (0.13, 0.47, SOURCE_BY_ANALOGY)


def test_clinic_sd_replaces_the_default_and_is_named() -> None:
    lat = _errors(_nasium(), {"atlas_laterality_deg": 1.0})["atlas_laterality_deg"]
    # √(1 + 0.041035) = 1.02031 -> 1.02
    assert (lat.examiner_sd, lat.total_sd, lat.examiner_source) == (1.0, 1.02, SOURCE_CLINIC)
    same = _errors(_nasium(), dict(DEFAULT_EXAMINER_SD_DEG))["atlas_laterality_deg"]
    assert same.examiner_source == SOURCE_PUBLISHED


@pytest.mark.parametrize("bad", [-0.1, math.inf, math.nan])
def test_bad_clinic_sd_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        _errors(_nasium(), {"atlas_laterality_deg": bad})


def test_values_unchanged_by_error_figures() -> None:
    marks = landmarks_from_dict(_nasium())
    before = analyse(marks).to_json()
    construct_errors(marks, analyse(marks))
    assert analyse(marks).to_json() == before
