"""Combining estimates and judging change against the MDC (hand-computed)."""

from __future__ import annotations

import math

import pytest

from atlaschart.measure.posture import (
    ALGORITHM,
    Landmark,
    LandmarkSet,
    MdcSource,
    Metric,
    PostureResult,
    Verdict,
    View,
    combine_estimates,
    combine_passes,
    combine_shots,
    compare_metric,
    mdc95_from_repeats,
    mdc95_from_sem,
    metric_names,
    sem_from_icc,
    sem_from_repeats,
)


def test_combine_passes_takes_mean_lowest_visibility_and_spread() -> None:
    passes = [
        LandmarkSet(View.ANTERIOR, 100, 100, (Landmark("nose", x, 20.0, visibility=v),))
        for x, v in ((10.0, 0.9), (12.0, 0.99), (17.0, 0.95))
    ]
    nose = combine_passes(passes).get("nose")
    assert nose is not None
    # mean x = (10 + 12 + 17) / 3 = 13 (the median would be 12)
    assert (nose.x_px, nose.y_px, nose.visibility) == (pytest.approx(13.0), 20.0, 0.9)
    # sample var x = ((-3)^2 + (-1)^2 + 4^2) / 2 = 13, var y = 0: spread sqrt((13 + 0) / 2)
    # = 2.54951; standard error of the mean of 3 passes: 2.54951 / sqrt(3) = 1.47196
    assert nose.uncertainty_px == pytest.approx(math.sqrt(6.5 / 3))


def test_combine_passes_drops_points_seen_once() -> None:
    a = LandmarkSet(View.ANTERIOR, 100, 100, (Landmark("nose", 1, 1), Landmark("left_ear", 2, 2)))
    b = LandmarkSet(View.ANTERIOR, 100, 100, (Landmark("nose", 3, 1),))
    assert [lm.name for lm in combine_passes([a, b]).landmarks] == ["nose"]


@pytest.mark.parametrize(
    ("values", "uncertainties", "expected"),
    [
        # SD of (1, 3) = sqrt(2); SE = sqrt(2)/sqrt(2) = 1.0 > propagated sqrt(0.5)/2 = 0.354
        pytest.param([1.0, 3.0], [0.5, 0.5], (2.0, 1.0), id="observed-wins"),
        # agreeing shots: SD 0, so the propagated sqrt(1 + 1) / 2 = 0.7071 is used
        pytest.param([2.0, 2.0], [1.0, 1.0], (2.0, math.sqrt(2) / 2), id="propagated-floor"),
        pytest.param([4.0], [0.3], (4.0, 0.3), id="single"),
        # unknown uncertainty: SE only. SD of (1,2,3) = 1, /sqrt(3) = 0.5774
        pytest.param([1.0, 2.0, 3.0], [None, 1.0, 1.0], (2.0, 1 / math.sqrt(3)), id="unknown-u"),
    ],
)
def test_combine_estimates(
    values: list[float], uncertainties: list[float | None], expected: tuple[float, float]
) -> None:
    value, u = combine_estimates(values, uncertainties)
    assert value == pytest.approx(expected[0])
    assert u == pytest.approx(expected[1])


def _result(view: View, **values: float | None) -> PostureResult:
    metrics = []
    for name in metric_names(view):
        v = values.get(name)
        unit = name.rsplit("_", 1)[1]
        metrics.append(
            Metric(
                name, v, unit, 1.0 if v is not None else None, None if v is not None else "missing"
            )
        )
    return PostureResult(view, ALGORITHM, tuple(metrics))


def test_combine_shots_notes_missing_shots() -> None:
    shots = [
        _result(View.ANTERIOR, shoulder_tilt_deg=1.0),
        _result(View.ANTERIOR, shoulder_tilt_deg=3.0),
        _result(View.ANTERIOR, shoulder_tilt_deg=None),
    ]
    metric = combine_shots(shots).get("shoulder_tilt_deg")
    assert metric.value == pytest.approx(2.0)
    assert metric.reason == "combined from 2 of 3 shots"
    assert combine_shots(shots).get("hip_tilt_deg").value is None


def test_sem_and_mdc_follow_weir_2005() -> None:
    # Weir 2005 formulas, illustrative SD 5°, ICC 0.90 -> SEM 1.58°, MDC95 4.4°
    sem = sem_from_icc(5.0, 0.90)
    assert sem == pytest.approx(5 * math.sqrt(0.1))
    assert mdc95_from_sem(sem) == pytest.approx(1.96 * math.sqrt(2) * 5 * math.sqrt(0.1))
    assert round(mdc95_from_sem(sem), 1) == 4.4


def test_mdc_from_a_clinics_repeated_shots() -> None:
    # groups (1, 3): SS 2, dof 1; (2, 2, 5): mean 3, SS 1 + 1 + 4 = 6, dof 2 -> sqrt(8 / 3)
    groups = [[1.0, 3.0], [2.0, 2.0, 5.0], [7.0]]
    assert sem_from_repeats(groups) == pytest.approx(math.sqrt(8 / 3))
    assert mdc95_from_repeats(groups) == pytest.approx(1.96 * math.sqrt(2) * math.sqrt(8 / 3))
    with pytest.raises(ValueError):
        sem_from_repeats([[1.0]])


def _m(name: str, value: float | None, u: float | None = 1.0) -> Metric:
    return Metric(
        name,
        value,
        name.rsplit("_", 1)[1],
        u if value is not None else None,
        None if value is not None else "left_hip was not found",
    )


@pytest.mark.parametrize(
    ("before", "after", "mdc", "verdict", "source", "limit"),
    [
        # default frontal line angle MDC95 5.5° (1.96·√2·2.0, [atlaschart-pose-precision])
        pytest.param(
            _m("shoulder_tilt_deg", 1.0),
            _m("shoulder_tilt_deg", 7.0),
            None,
            Verdict.BEYOND_ERROR,
            MdcSource.DEFAULT,
            5.5,
            id="beyond-default",
        ),
        pytest.param(
            _m("shoulder_tilt_deg", 1.0),
            _m("shoulder_tilt_deg", 6.5),
            None,
            Verdict.WITHIN_ERROR,
            MdcSource.DEFAULT,
            5.5,
            id="equal-is-within",
        ),
        pytest.param(
            _m("shoulder_tilt_deg", 1.0),
            _m("shoulder_tilt_deg", 3.0),
            {"shoulder_tilt_deg": 1.5},
            Verdict.BEYOND_ERROR,
            MdcSource.CONFIGURED,
            1.5,
            id="clinic-mdc",
        ),
        # no default for shifts: 1.96 * sqrt(1 + 1) = 2.772 from the uncertainties
        pytest.param(
            _m("trunk_shift_pct", 0.0),
            _m("trunk_shift_pct", 3.0),
            None,
            Verdict.BEYOND_ERROR,
            MdcSource.UNCERTAINTY,
            1.96 * math.sqrt(2),
            id="from-uncertainty",
        ),
    ],
)
def test_compare_metric(
    before: Metric,
    after: Metric,
    mdc: dict[str, float] | None,
    verdict: Verdict,
    source: MdcSource,
    limit: float,
) -> None:
    change = compare_metric(before, after, mdc95=mdc)
    assert change.verdict is verdict
    assert change.mdc_source is source
    assert change.mdc95 == pytest.approx(limit)


def test_compare_metric_unknown_when_a_value_is_missing() -> None:
    change = compare_metric(_m("hip_tilt_deg", 1.0), _m("hip_tilt_deg", None))
    assert change.verdict is Verdict.UNKNOWN
    assert change.reason is not None and "left_hip" in change.reason
    no_u = compare_metric(_m("trunk_shift_pct", 1.0, None), _m("trunk_shift_pct", 9.0, None))
    assert no_u.verdict is Verdict.UNKNOWN
