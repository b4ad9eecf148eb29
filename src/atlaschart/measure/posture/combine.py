"""Combining several estimates: test-time-augmentation passes and repeated shots.

Two different situations, two rules:

* **Passes over the same photo** (test-time augmentation: the photo mirrored and slightly
  rotated, each pass mapped back to the original pixel frame). The combined landmark is the
  per-axis **mean**: measured against the per-axis median on the rotation check of
  bench/posture.py, the mean halved the median deviation of the line angles (the pass errors are
  many small ones, not a few gross ones). Its ``uncertainty_px`` is the standard error of that
  mean, the pass spread (RMS of the x and y sample SDs) over sqrt(n). The passes see the same
  pixels, so they need not be independent; the benchmark checks the figure against what the
  rotation check observes (docs/benchmarks/posture.md: calibration). It is the model's
  repeatability on this photo, not its accuracy on the body under the clothes.
* **Repeated shots of the same view** (2–3 photos, the patient re-positioned). They are treated as
  independent: the combined value is the **mean** and its standard uncertainty is the larger of
  the observed standard error SD/sqrt(n) and the propagated sqrt(sum u_i^2)/n, so two shots that
  agree by chance do not claim zero error.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from atlaschart.measure.posture.landmarks import Landmark, LandmarkSet, LandmarkSource
from atlaschart.measure.posture.metrics import SHOTS_PARTIAL, Metric, PostureResult, Reason


def combine_passes(passes: Sequence[LandmarkSet], *, min_passes: int = 2) -> LandmarkSet:
    """Combine model landmarks from several passes over one photo into one set.

    All passes must share view and image size and contain only model points, already in the
    original photo's pixel frame with the patient's left/right names. A name found in fewer than
    ``min_passes`` passes is dropped (with a single pass, pass ``min_passes=1``).

    Returns a set whose points are per-axis means; ``visibility`` is the lowest visibility and
    ``uncertainty_px`` is ``sqrt((sd_x^2 + sd_y^2) / 2) / sqrt(n)`` over the n passes (0 with one
    pass).
    """
    if not passes:
        raise ValueError("no passes to combine")
    first = passes[0]
    for p in passes:
        if (p.view, p.width_px, p.height_px) != (first.view, first.width_px, first.height_px):
            raise ValueError("passes must share view and image size")
        if any(lm.source is not LandmarkSource.MODEL for lm in p.landmarks):
            raise ValueError("only model points can be combined across passes")
    if min_passes < 1:
        raise ValueError("min_passes must be at least 1")
    names: list[str] = []
    for p in passes:
        names.extend(lm.name for lm in p.landmarks if lm.name not in names)
    combined: list[Landmark] = []
    for name in names:
        found = [lm for p in passes if (lm := p.get(name)) is not None]
        if len(found) < min_passes:
            continue
        xs = [lm.x_px for lm in found]
        ys = [lm.y_px for lm in found]
        spread = 0.0
        if len(found) > 1:
            spread = math.sqrt((statistics.variance(xs) + statistics.variance(ys)) / 2.0)
            spread /= math.sqrt(len(found))
        combined.append(
            Landmark(
                name,
                statistics.fmean(xs),
                statistics.fmean(ys),
                visibility=min(lm.visibility for lm in found),
                source=LandmarkSource.MODEL,
                uncertainty_px=spread,
            )
        )
    return LandmarkSet(first.view, first.width_px, first.height_px, tuple(combined))


def combine_estimates(
    values: Sequence[float], uncertainties: Sequence[float | None]
) -> tuple[float, float | None]:
    """Mean of independent estimates and its standard uncertainty.

    ``u = max(SD / sqrt(n), sqrt(sum u_i^2) / n)``; the second term is dropped when any ``u_i``
    is unknown, and with a single estimate ``u`` is that estimate's own uncertainty.

    >>> combine_estimates([1.0, 3.0], [0.5, 0.5])  # SD = 1.414, SE = 1.0; propagated 0.354
    (2.0, 1.0)
    """
    if not values or len(values) != len(uncertainties):
        raise ValueError("need one uncertainty per value, and at least one value")
    n = len(values)
    mean = statistics.fmean(values)
    if n == 1:
        return mean, uncertainties[0]
    observed = statistics.stdev(values) / math.sqrt(n)
    known = [u for u in uncertainties if u is not None]
    if len(known) < n:
        return mean, observed
    propagated = math.sqrt(sum(u * u for u in known)) / n
    return mean, max(observed, propagated)


def combine_shots(results: Sequence[PostureResult]) -> PostureResult:
    """Combine the results of 2–3 shots of one view, metric by metric.

    A metric missing in some shots is combined from the others (``reason`` notes how many); if
    missing in all, it stays ``None`` with the first shot's reason.
    """
    if not results:
        raise ValueError("no results to combine")
    first = results[0]
    for r in results:
        if r.view is not first.view or r.algorithm != first.algorithm:
            raise ValueError("shots must share view and algorithm")
    combined: list[Metric] = []
    for i, metric in enumerate(first.metrics):
        shots = [r.metrics[i] for r in results]
        present = [m for m in shots if m.value is not None]
        if not present:
            combined.append(metric)
            continue
        value, uncertainty = combine_estimates(
            [m.value for m in present if m.value is not None],
            [m.uncertainty for m in present],
        )
        notes: tuple[Reason, ...] = ()
        if len(present) < len(shots):
            notes = (Reason(SHOTS_PARTIAL, values=(len(present), len(shots))),)
        combined.append(
            Metric(
                metric.name,
                value,
                metric.unit,
                uncertainty,
                points=present[0].points,
                reasons=notes,
            )
        )
    return PostureResult(first.view, first.algorithm, tuple(combined))
