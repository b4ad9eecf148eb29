"""Pre/post comparison of two analyses of the same view.

Each value is compared as a signed number (patient left positive, right negative; values without a
side as they are), and the change is marked ``beyond`` or ``within`` the measurement error. The
default error is 1.2° for atlas laterality and atlas rotation (MDC95 = 1.96·√2·0.45° from the
examiner SD of Rochester 1994, ``[rochester-1994-marking]`` in docs/sources.md); other values have
no default and are marked ``no-threshold`` unless the caller configures one. A change equal to
the error counts as within it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from atlaschart.measure.radiograph.analysis import Analysis

DEFAULT_ERROR: Mapping[str, float] = {"atlas_laterality_deg": 1.2, "atlas_rotation_deg": 1.2}

Status = Literal["beyond", "within", "no-threshold", "missing"]


@dataclass(frozen=True)
class Change:
    """One value before and after: signed values (left +), the change post − pre, the status."""

    name: str
    unit: str
    pre_signed: float | None
    post_signed: float | None
    change: float | None
    error: float | None
    status: Status


@dataclass(frozen=True)
class Comparison:
    view: str
    pre_algorithm: str
    post_algorithm: str
    changes: tuple[Change, ...]
    warnings: tuple[str, ...]


def compare(pre: Analysis, post: Analysis, error: Mapping[str, float] | None = None) -> Comparison:
    """Compare ``pre`` with ``post`` (same view). ``error`` overrides/extends ``DEFAULT_ERROR``
    (value name → non-negative error in the value's unit). Raises ValueError for different views
    or a bad error value."""
    if pre.view != post.view:
        raise ValueError(f"cannot compare a {pre.view} analysis with a {post.view} analysis")
    errors = dict(DEFAULT_ERROR)
    for name, e in (error or {}).items():
        if not (math.isfinite(e) and e >= 0):
            raise ValueError(f"measurement error for {name} must be a non-negative number")
        errors[name] = e
    warnings = []
    if pre.algorithm != post.algorithm:
        warnings.append("algorithm-differs")
    pre_v = {v.name: v for v in pre.values}
    post_v = {v.name: v for v in post.values}
    names = [v.name for v in pre.values] + [n for n in post_v if n not in pre_v]
    changes = []
    for name in names:
        a, b = pre_v.get(name), post_v.get(name)
        unit = (a or b).unit  # type: ignore[union-attr]
        if a is None or b is None:
            pre_s = a.signed if a is not None else None
            post_s = b.signed if b is not None else None
            changes.append(Change(name, unit, pre_s, post_s, None, None, "missing"))
            continue
        delta = round(b.signed - a.signed, 2) + 0.0
        err = errors.get(name)
        status: Status
        if err is None:
            status = "no-threshold"
        else:
            status = "beyond" if abs(delta) > err + 1e-9 else "within"
        changes.append(Change(name, unit, a.signed, b.signed, delta, err, status))
    return Comparison(
        pre.view, pre.algorithm.label, post.algorithm.label, tuple(changes), tuple(warnings)
    )
