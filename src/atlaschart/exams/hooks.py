"""Where the apps above exams plug in, so that exams never imports them (the import-linter layers
contract in pyproject.toml keeps it so):

- ``exam_recorded``: sent inside the recording transaction after a record is stored (``actor``,
  ``record``); the safety app re-screens the patient when the kind feeds the screen.
- ``register_visit_lookup``: the visits app (whose pages list exams) registers its door, through
  which an exam form tied to a visit reaches that visit (scoped to the clinic, logged).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal
from django.http import Http404

exam_recorded = Signal()

VisitLookup = Callable[..., Any]
_visit_lookup: list[VisitLookup] = []


def register_visit_lookup(lookup: VisitLookup) -> None:
    """``lookup(who, visit_id, detail=...)`` returns the visit or raises the door's 404."""
    _visit_lookup[:] = [lookup]


def get_visit(who: Any, visit_id: int, detail: str) -> Any:
    if not _visit_lookup:
        raise Http404("Visits are not installed")
    return _visit_lookup[0](who, visit_id, detail=detail)
