"""Summary statistics for clinic outcomes: Wilson score intervals, median and IQR, responders.

Pure Python (no Django). Every function takes plain numbers and returns frozen value objects.

* **Wilson score interval** (Wilson 1927, "Probable inference, the law of succession, and
  statistical inference", JASA 22:209-212; recommended for a single proportion by Newcombe 1998,
  "Two-sided confidence intervals for the single proportion: comparison of seven methods",
  Stat Med 17:857-872, method 3, no continuity correction)::

      centre = (p + z^2 / 2n) / (1 + z^2 / n)
      half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)

  with p = x / n and z = 1.959964 (two-sided 95 %). Unlike the Wald interval it stays inside
  [0, 1] and is not degenerate at x = 0 or x = n. With n = 0 there is no proportion: the rate
  and the interval are empty (``None``), never a division by zero.
* **Median and interquartile range**: quartiles by linear interpolation between order statistics
  (Hyndman & Fan 1996, "Sample quantiles in statistical packages", Am Stat 50:361-365,
  definition 7; the default of R and NumPy), so Q1 of [1, 2, 3, 4] is 1.75.
* **Responders**: a patient responds by the MCID when the oriented change (positive =
  improvement) is at least the MCID, and by the MDC when it is at least the MDC. A threshold
  that is not published (``None``) gives no responder count (``None``), never zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Two-sided 95 %: the 0.975 quantile of the standard normal distribution.
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Proportion:
    """``n`` of ``total`` with the rate and its Wilson 95 % interval (empty when total is 0)."""

    n: int
    total: int
    rate: float | None
    ci95: tuple[float, float] | None

    def as_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "rate": None if self.rate is None else round(self.rate, 4),
            "ci95": [] if self.ci95 is None else [round(self.ci95[0], 4), round(self.ci95[1], 4)],
        }


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for ``successes`` of ``total`` (module docstring); ``None``
    when ``total`` is 0."""
    if total < 0 or successes < 0 or successes > total:
        raise ValueError(f"need 0 <= successes <= total, got {successes} of {total}")
    if total == 0:
        return None
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    # Rounding can push an end a hair past the bounds at x = 0 or x = n.
    return (max(0.0, centre - half), min(1.0, centre + half))


def proportion(successes: int, total: int) -> Proportion:
    """A count with its rate and Wilson 95 % interval; empty rate and interval for total 0."""
    interval = wilson_interval(successes, total)
    return Proportion(
        n=successes,
        total=total,
        rate=None if total == 0 else successes / total,
        ci95=interval,
    )


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Hyndman & Fan definition 7 on already sorted values (at least one)."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    if not 0 <= q <= 1:
        raise ValueError("q must be within [0, 1]")
    position = (len(sorted_values) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    fraction = position - lower
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * fraction


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range (Q1, Q3) of the changes, in the instrument's points;
    all ``None`` for no values."""

    n: int
    median: float | None
    iqr: tuple[float, float] | None


def median_iqr(values: Sequence[float]) -> Spread:
    if not values:
        return Spread(n=0, median=None, iqr=None)
    ordered = sorted(values)
    return Spread(
        n=len(ordered),
        median=quantile(ordered, 0.5),
        iqr=(quantile(ordered, 0.25), quantile(ordered, 0.75)),
    )


@dataclass(frozen=True)
class Responders:
    """Responders among the patients with a change: by MCID and by MDC (``None`` when the
    threshold is not published)."""

    by_mcid: Proportion | None
    by_mdc: Proportion | None


def responders(
    changes: Sequence[float], mcid_points: float | None, mdc_points: float | None
) -> Responders:
    """Count the oriented ``changes`` (positive = improvement) reaching each threshold."""

    def count(threshold: float | None) -> Proportion | None:
        if threshold is None:
            return None
        # A small tolerance so a change of exactly the threshold, stored as 2-decimal floats,
        # counts (NPRS 7 - 5 = 2 against an MCID of 2).
        return proportion(sum(1 for c in changes if c >= threshold - 1e-9), len(changes))

    return Responders(by_mcid=count(mcid_points), by_mdc=count(mdc_points))
