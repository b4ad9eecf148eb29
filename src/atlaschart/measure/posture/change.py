"""Change between two sessions versus the minimal detectable change (MDC).

Formulas (Weir 2005, ``[weir-2005-sem]`` in docs/sources.md): ``SEM = SD * sqrt(1 - ICC)`` and
``MDC95 = 1.96 * sqrt(2) * SEM``.
From a clinic's own repeated shots (each group = one patient, one session, one view, 2+ shots),
SEM is the pooled within-group SD: ``sqrt(sum (n_i - 1) s_i^2 / sum (n_i - 1))``.

A change is *beyond measurement error* when ``|after - before| > MDC95`` (strictly). Which MDC95
is used, in order: the caller's table (e.g. computed from the clinic's repeated shots), the
defaults below, and finally ``1.96 * sqrt(u_before^2 + u_after^2)`` from the two values' own
uncertainties.

Default MDC95 values — configurable, each marked with its status:

* frontal line angles: 5.5° **[derived]**: single-shot SD ≈ 2.0° of one BlazePose pass
  (our rotation check, ``[atlaschart-pose-precision]``: mean SD across 5 views of each photo)
  taken as SEM; 1.96·√2·2.0 = 5.54.
* ``craniovertebral_angle_deg``: 4.4° **[derived]**: Weir's formulas with an
  illustrative SD 5° and ICC 0.90 (→ SEM 1.6°), in the range of the CVA reliabilities that
  Singla et al. 2017 review; not a published MDC.
* ``ear_shoulder_angle_deg``: 4.4° **[unverified]**: the CVA figure applied to its ear–shoulder
  proxy.
* shifts and offsets (% and mm): no default; they fall back to the values' uncertainties.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from atlaschart.measure.posture.metrics import (
    CHANGE_NO_AFTER_VALUE,
    CHANGE_NO_BEFORE_VALUE,
    CHANGE_NO_MDC,
    Metric,
    PostureResult,
    Reason,
    join_english,
)

_Z95_SQRT2 = 1.96 * math.sqrt(2.0)

DEFAULT_MDC95: Mapping[str, float] = {
    "head_tilt_ears_deg": 5.5,
    "head_tilt_eyes_deg": 5.5,
    "shoulder_tilt_deg": 5.5,
    "hip_tilt_deg": 5.5,
    "knee_tilt_deg": 5.5,
    "pelvic_tilt_deg": 5.5,
    "craniovertebral_angle_deg": 4.4,
    "ear_shoulder_angle_deg": 4.4,
}


def sem_from_icc(sd: float, icc: float) -> float:
    """Standard error of measurement from a between-subject SD and a reliability ICC.

    >>> round(sem_from_icc(5.0, 0.90), 2)  # SD 5°, ICC 0.90 (the CVA default's illustration)
    1.58
    """
    if sd < 0 or not 0.0 <= icc <= 1.0:
        raise ValueError("sd must be >= 0 and icc within 0..1")
    return sd * math.sqrt(1.0 - icc)


def mdc95_from_sem(sem: float) -> float:
    """MDC95 = 1.96 * sqrt(2) * SEM (Weir 2005).

    >>> round(mdc95_from_sem(1.58), 1)
    4.4
    """
    if sem < 0:
        raise ValueError("sem must be >= 0")
    return _Z95_SQRT2 * sem


def sem_from_repeats(groups: Sequence[Sequence[float]]) -> float:
    """Pooled within-group SD of repeated shots (each group: one patient, session and view).

    Groups with fewer than two values carry no information and are skipped; at least one group
    of two is required.
    """
    num = 0.0
    dof = 0
    for g in groups:
        n = len(g)
        if n < 2:
            continue
        mean = math.fsum(g) / n
        num += math.fsum((v - mean) ** 2 for v in g)
        dof += n - 1
    if dof == 0:
        raise ValueError("need at least one group with two or more repeated values")
    return math.sqrt(num / dof)


def mdc95_from_repeats(groups: Sequence[Sequence[float]]) -> float:
    """MDC95 from a clinic's repeated shots: 1.96 * sqrt(2) * pooled within-group SD."""
    return mdc95_from_sem(sem_from_repeats(groups))


class Verdict(StrEnum):
    BEYOND_ERROR = "beyond_error"
    WITHIN_ERROR = "within_error"
    UNKNOWN = "unknown"


class MdcSource(StrEnum):
    CONFIGURED = "configured"
    DEFAULT = "default"
    UNCERTAINTY = "uncertainty"


@dataclass(frozen=True)
class Change:
    """``after - before`` of one metric (same unit), judged against an MDC95.

    An ``unknown`` verdict has a ``reason`` (English, as in the CLI) and, when its cause is
    known in structured form, ``reasons`` (codes the pages translate; see ``metrics.Reason``).
    Given ``reasons`` without ``reason``, the text is their English joined by ``"; "``.
    """

    name: str
    unit: str
    before: float | None
    after: float | None
    delta: float | None
    mdc95: float | None
    mdc_source: MdcSource | None
    verdict: Verdict
    reason: str | None = None
    reasons: tuple[Reason, ...] = ()

    def __post_init__(self) -> None:
        if self.reasons and self.reason is None:
            object.__setattr__(self, "reason", join_english(self.reasons))
        if self.verdict is Verdict.UNKNOWN and not self.reason:
            raise ValueError("an unknown verdict needs a reason")
        if self.mdc95 is not None and self.mdc95 < 0:
            raise ValueError("mdc95 must be >= 0")


def compare_metric(
    before: Metric, after: Metric, *, mdc95: Mapping[str, float] | None = None
) -> Change:
    """Judge one metric's change between two sessions (see the module docstring)."""
    if before.name != after.name:
        raise ValueError("compare the same metric")
    name, unit = before.name, before.unit
    if before.value is None or after.value is None:
        missing = before if before.value is None else after
        side = "before" if missing is before else "after"
        # Structured only when the missing metric's own reasons are known; else text alone.
        code = CHANGE_NO_BEFORE_VALUE if missing is before else CHANGE_NO_AFTER_VALUE
        reasons = (Reason(code, detail=missing.reasons),) if missing.reasons else ()
        return Change(
            name,
            unit,
            before.value,
            after.value,
            None,
            None,
            None,
            Verdict.UNKNOWN,
            f"no {side} value: {missing.reason}",
            reasons,
        )
    delta = after.value - before.value
    limit: float | None
    source: MdcSource | None
    if mdc95 is not None and name in mdc95:
        limit, source = mdc95[name], MdcSource.CONFIGURED
    elif name in DEFAULT_MDC95:
        limit, source = DEFAULT_MDC95[name], MdcSource.DEFAULT
    elif before.uncertainty is not None and after.uncertainty is not None:
        limit = 1.96 * math.hypot(before.uncertainty, after.uncertainty)
        source = MdcSource.UNCERTAINTY
    else:
        return Change(
            name,
            unit,
            before.value,
            after.value,
            delta,
            None,
            None,
            Verdict.UNKNOWN,
            reasons=(Reason(CHANGE_NO_MDC),),
        )
    verdict = Verdict.BEYOND_ERROR if abs(delta) > limit else Verdict.WITHIN_ERROR
    return Change(name, unit, before.value, after.value, delta, limit, source, verdict)


def compare_results(
    before: PostureResult, after: PostureResult, *, mdc95: Mapping[str, float] | None = None
) -> tuple[Change, ...]:
    """Compare every metric of two results of the same view."""
    if before.view is not after.view:
        raise ValueError("compare results of the same view")
    return tuple(
        compare_metric(b, a, mdc95=mdc95)
        for b, a in zip(before.metrics, after.metrics, strict=True)
    )
