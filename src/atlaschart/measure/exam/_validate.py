"""Small validators shared by the exam value objects. Each raises :class:`ExamValidationError`."""

from __future__ import annotations

import math
from enum import Enum, StrEnum
from typing import TypeVar

from atlaschart.measure.exam.errors import ExamValidationError

E = TypeVar("E", bound=Enum)


class Side(StrEnum):
    """Body side, from the patient's point of view."""

    LEFT = "left"
    RIGHT = "right"


def _fmt(value: object) -> str:
    # repr keeps strings quoted in messages ("'abc'") so an empty string is visible.
    return repr(value) if isinstance(value, str) else str(value)


def number(field: str, value: object, lo: float, hi: float) -> float:
    """A finite real number in ``[lo, hi]`` (inclusive). Booleans are rejected."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExamValidationError("not_a_number", field, value=_fmt(value))
    if not math.isfinite(value):
        raise ExamValidationError("not_a_number", field, value=_fmt(value))
    if not lo <= value <= hi:
        raise ExamValidationError("out_of_range", field, min=lo, max=hi, value=value)
    return float(value)


def integer(field: str, value: object, lo: int, hi: int) -> int:
    """An ``int`` in ``[lo, hi]`` (inclusive). Booleans and floats are rejected."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExamValidationError("not_an_integer", field, value=_fmt(value))
    if not lo <= value <= hi:
        raise ExamValidationError("out_of_range", field, min=lo, max=hi, value=value)
    return value


def boolean(field: str, value: object) -> bool:
    """Exactly ``True`` or ``False`` (no truthy strings or numbers)."""
    if not isinstance(value, bool):
        raise ExamValidationError("not_a_boolean", field, value=_fmt(value))
    return value


def choice(field: str, value: object, enum_cls: type[E]) -> E:
    """A member of ``enum_cls``. Use :func:`parse_choice` to convert raw strings first."""
    if not isinstance(value, enum_cls):
        raise ExamValidationError(
            "invalid_choice", field, choices=_choices(enum_cls), value=_fmt(value)
        )
    return value


def parse_choice(enum_cls: type[E], field: str, raw: object) -> E:
    """Convert a raw form/JSON value (the enum's ``value``) into a member of ``enum_cls``.

    >>> parse_choice(Side, "side", "left")
    <Side.LEFT: 'left'>
    """
    if isinstance(raw, enum_cls):
        return raw
    for member in enum_cls:
        if member.value == raw:
            return member
    raise ExamValidationError("invalid_choice", field, choices=_choices(enum_cls), value=_fmt(raw))


def text(field: str, value: object, max_len: int) -> str:
    """A non-blank string of at most ``max_len`` characters, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ExamValidationError("required", field)
    stripped = value.strip()
    if len(stripped) > max_len:
        raise ExamValidationError("too_long", field, max=max_len, value=len(stripped))
    return stripped


def _choices(enum_cls: type[Enum]) -> str:
    return ", ".join(str(m.value) for m in enum_cls)
