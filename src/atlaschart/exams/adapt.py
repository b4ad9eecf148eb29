"""Adapter helpers between stored raw exam inputs (flat JSON dicts, as the forms clean them) and
the pure measurement core ``atlaschart.measure.exam``.

Each exam kind's own adapter (raw inputs -> core value objects -> derived JSON values) is in its
module under ``exams/kinds/``; what they share is here. No Django model access, so derived values
can be recomputed from stored raw inputs at any time (``exams.kinds.build``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from atlaschart.measure.exam import ExamValidationError, Side, parse_choice

#: The two sides as stored in raw inputs ("left", "right"): the core's own ``Side`` values.
SIDES: tuple[str, ...] = tuple(side.value for side in Side)
Raw = dict[str, Any]
T = TypeVar("T")


def given(raw: Raw, key: str) -> Any:
    """The stored value of ``key`` (None when absent), handed as it is to a core constructor
    that checks it: the core rejects a missing or ill-typed value with an error naming its field,
    so the adapter does not check it twice (and a bad stored value gets the core's message)."""
    return raw.get(key)


def side(field: str, raw: object) -> Side | None:
    """The patient's side entered in ``field``; blank is no side."""
    return None if raw in (None, "") else parse_choice(Side, field, raw)


def entry(key: str, make: Callable[..., T], *args: Any) -> T:
    """``make(*args)``, one per-side entry; a rejection names the entry's raw key (= its form
    field), so the message lands next to the value that caused it."""
    try:
        return make(*args)
    except ExamValidationError as err:
        params = {k: v for k, v in err.params.items() if k != "field"}
        raise ExamValidationError(err.code, key, **params) from err
