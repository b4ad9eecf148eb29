"""The registry of exam kinds: one module per kind declares its label, form, derivation, summary
and display once (an :class:`ExamKindSpec`, see ``base.py``); everything that dispatches on a
kind (the model's choices, the forms, the service, the views, the display) looks it up here.

To add a kind: write its module next to these (the core derivation in ``measure/exam/`` first),
and add it to ``_DECLARED`` below; docs/architecture.md says the rest.
"""

from __future__ import annotations

from atlaschart.exams.kinds import (
    blood_pressure,
    cervical_rom,
    fukuda,
    leg_check,
    neuro,
    palpation,
    romberg,
    safety_screen,
    scoliosis,
    thermography,
)
from atlaschart.exams.kinds.base import Context, ExamKindSpec, Raw

__all__ = ["KINDS", "Context", "ExamKindSpec", "build", "find", "kind_of"]

# The order is the order of the choices (the model's, and the chart's "+ exam" links).
_DECLARED = (
    neuro.KIND,
    leg_check.KIND,
    cervical_rom.KIND,
    romberg.KIND,
    fukuda.KIND,
    scoliosis.KIND,
    blood_pressure.KIND,
    palpation.KIND,
    thermography.KIND,
    safety_screen.KIND,
)

KINDS: dict[str, ExamKindSpec] = {spec.value: spec for spec in _DECLARED}


def find(value: str) -> ExamKindSpec | None:
    """The kind stored as ``value``, or None (an unknown kind: an old or hand-edited record)."""
    return KINDS.get(value)


def kind_of(value: str) -> ExamKindSpec:
    """The kind stored as ``value``; ValueError for one that is not registered."""
    spec = KINDS.get(value)
    if spec is None:
        raise ValueError(f"unknown exam kind {value!r}")
    return spec


def build(
    kind: str,
    raw: Raw,
    *,
    age_years: int | None = None,
    timing: str = "",
    pre_raw: Raw | None = None,
) -> tuple[Raw, str]:
    """Validate ``raw`` through the core; return ``(derived, summary)`` (the summary in
    English, as stored). Raises the core's ``ExamValidationError`` for rejected input."""
    return kind_of(kind).build(raw, Context(age_years, timing, pre_raw))
