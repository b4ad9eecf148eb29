"""One exception for every rejected exam value, shaped so the web layer can translate it.

Each error carries a stable ``code`` (never reworded once released), the ``field`` it concerns and
``params`` for the message. ``MESSAGES[code]`` is the English template in Django's ``%(name)s``
style, so the web layer can do::

    raise ValidationError(_(MESSAGES[err.code]), code=err.code, params=err.params)

and a translator sees one fixed sentence per code. ``str(err)`` is the English text.
"""

from __future__ import annotations

from collections.abc import Mapping

#: English message template per stable error code. Every template may use ``%(field)s`` plus the
#: params named in its comment; nothing else is interpolated.
MESSAGES: Mapping[str, str] = {
    # params: value
    "required": "%(field)s is required.",
    "not_a_number": "%(field)s must be a number; got %(value)s.",
    "not_an_integer": "%(field)s must be a whole number; got %(value)s.",
    "not_a_boolean": "%(field)s must be yes or no; got %(value)s.",
    # params: min, max, value
    "out_of_range": "%(field)s must be between %(min)s and %(max)s; got %(value)s.",
    # params: choices, value
    "invalid_choice": "%(field)s must be one of %(choices)s; got %(value)s.",
    # params: scale, choices, value
    "grade_not_in_scale": "%(field)s: grade %(value)s is not on the %(scale)s scale (%(choices)s).",
    # params: value
    "duplicate": "%(field)s: %(value)s is entered more than once.",
    # params: (none)
    "magnitude_must_be_zero_when_even": "%(field)s must be 0 when the legs are even.",
    "magnitude_required_when_uneven": "%(field)s must be more than 0 when one leg is short.",
    "pre_post_mismatch": "%(field)s: the first check must be pre-adjustment and the second post.",
    # params: first, second
    "check_type_mismatch": (
        "%(field)s: a pre/post comparison needs the same check type; got %(first)s and %(second)s."
    ),
    "diastolic_not_below_systolic": "%(field)s must be lower than the systolic pressure.",
    "direction_required": "%(field)s is required when the rotation is more than 0°.",
    "direction_must_be_none": "%(field)s must be empty when the rotation is 0°.",
    "side_required": "%(field)s is required when the finding is positive.",
    "side_must_be_empty": "%(field)s must be empty when the finding is negative.",
    "pattern_only_when_abnormal": "%(field)s can only be given when the gait is abnormal.",
    "beats_or_sustained": "%(field)s: record either a number of beats or that clonus is sustained.",
    "baseline_required": "%(field)s is required for a complaint that existed before treatment.",
    "baseline_must_be_empty": "%(field)s must be empty for a new complaint.",
    "entry_mismatch": "%(field)s %(value)s does not match the magnitude in millimetres.",
    "romberg_order": "%(field)s: give the eyes-open trial first and the eyes-closed trial second.",
    "empty": "%(field)s must contain at least one entry.",
    # params: max, value
    "too_long": "%(field)s must be at most %(max)s characters; got %(value)s.",
}


class ExamValidationError(ValueError):
    """A rejected exam value.

    Parameters
    ----------
    code
        Stable key into :data:`MESSAGES`.
    field
        Name of the offending field (the dataclass attribute, e.g. ``"magnitude_mm"``).
    **params
        Values for the template. ``field`` is added automatically.
    """

    def __init__(self, code: str, field: str, **params: object) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown exam error code {code!r}")
        self.code = code
        self.field = field
        self.params: dict[str, object] = {"field": field, **params}
        super().__init__(MESSAGES[code] % self.params)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form: ``{"code", "field", "params", "message"}``."""
        return {
            "code": self.code,
            "field": self.field,
            "params": dict(self.params),
            "message": str(self),
        }
