"""Outcome statistics against published and hand-computed tables.

Wilson score intervals: Newcombe 1998 (Stat Med 17:857-872), Table II, method 3 (score interval
without continuity correction, Wilson 1927), four examples given to 4 decimals; plus 5/10 worked
by hand: p = 0.5, z^2/n = 0.38415, centre 0.5, half = 1.95996 / 1.38415 x sqrt(0.025 + 0.0096037)
= 0.26341.
Quartiles: Hyndman & Fan 1996 definition 7 (R's and NumPy's default), worked by hand.
"""

from __future__ import annotations

import pytest

from atlaschart.measure.instruments.stats import (
    median_iqr,
    proportion,
    quantile,
    responders,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe 1998, Table II, example (a)
        (15, 148, 0.0624, 0.1605),  # example (b)
        (0, 20, 0.0000, 0.1611),  # example (c): x = 0 keeps a real upper end
        (1, 29, 0.0061, 0.1718),  # example (d)
        (5, 10, 0.2366, 0.7634),  # by hand, see the module docstring
        (10, 10, 0.7225, 1.0000),  # x = n mirrors x = 0 of the same n: 1 - 0.2775
    ],
)
def test_wilson_interval_matches_the_published_table(
    successes: int, total: int, low: float, high: float
) -> None:
    interval = wilson_interval(successes, total)
    assert interval is not None
    assert interval[0] == pytest.approx(low, abs=5e-5)
    assert interval[1] == pytest.approx(high, abs=5e-5)


def test_zero_patients_give_an_empty_rate_and_interval_not_a_division_by_zero() -> None:
    assert wilson_interval(0, 0) is None
    empty = proportion(0, 0)
    assert empty.rate is None and empty.ci95 is None
    assert empty.as_json() == {"n": 0, "rate": None, "ci95": []}


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


@pytest.mark.parametrize(
    ("values", "median", "q1", "q3"),
    [
        ([1, 2, 3, 4], 2.5, 1.75, 3.25),  # positions 0.75 / 1.5 / 2.25
        ([3], 3, 3, 3),
        ([5, 1, 3], 3, 2, 4),  # sorted 1 3 5: positions 0.5 / 1 / 1.5
        ([0, 0, 2, 4, 10], 2, 0, 4),
    ],
)
def test_median_and_iqr_by_hyndman_fan_definition_7(
    values: list[float], median: float, q1: float, q3: float
) -> None:
    spread = median_iqr(values)
    assert spread.median == pytest.approx(median)
    assert spread.iqr == (pytest.approx(q1), pytest.approx(q3))


def test_no_values_have_no_median() -> None:
    spread = median_iqr([])
    assert spread.n == 0 and spread.median is None and spread.iqr is None
    with pytest.raises(ValueError):
        quantile([], 0.5)


def test_responders_by_mcid_and_mdc() -> None:
    # NPRS neck pain, Kovacs 2008: MCIC 1.5, MDC 4.0. Changes 0, 1.5, 2, 4, 5 (positive = better).
    counted = responders([0, 1.5, 2, 4, 5], mcid_points=1.5, mdc_points=4.0)
    assert counted.by_mcid is not None and counted.by_mdc is not None
    assert (counted.by_mcid.n, counted.by_mcid.total) == (4, 5)
    assert (counted.by_mdc.n, counted.by_mdc.total) == (2, 5)
    assert counted.by_mcid.rate == pytest.approx(0.8)


def test_an_unpublished_threshold_gives_no_count_rather_than_zero() -> None:
    counted = responders([3, 4], mcid_points=2, mdc_points=None)
    assert counted.by_mdc is None
    assert counted.by_mcid is not None and counted.by_mcid.n == 2
