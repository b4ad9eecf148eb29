"""Translatable copies of the exam core's error templates (``measure.exam.errors.MESSAGES``).

The core is Django-free, so its English templates are repeated here as literals that the message
extractor can see; tests/web/test_exams.py checks the two tables have the same codes and text.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from atlaschart.measure.exam import MESSAGES, ExamValidationError

TRANSLATED = {
    "required": _("%(field)s is required."),
    "not_a_number": _("%(field)s must be a number; got %(value)s."),
    "not_an_integer": _("%(field)s must be a whole number; got %(value)s."),
    "not_a_boolean": _("%(field)s must be yes or no; got %(value)s."),
    "out_of_range": _("%(field)s must be between %(min)s and %(max)s; got %(value)s."),
    "invalid_choice": _("%(field)s must be one of %(choices)s; got %(value)s."),
    "grade_not_in_scale": _(
        "%(field)s: grade %(value)s is not on the %(scale)s scale (%(choices)s)."
    ),
    "duplicate": _("%(field)s: %(value)s is entered more than once."),
    "magnitude_must_be_zero_when_even": _("%(field)s must be 0 when the legs are even."),
    "magnitude_required_when_uneven": _("%(field)s must be more than 0 when one leg is short."),
    "pre_post_mismatch": _(
        "%(field)s: the first check must be pre-adjustment and the second post."
    ),
    "check_type_mismatch": _(
        "%(field)s: a pre/post comparison needs the same check type; got %(first)s and %(second)s."
    ),
    "diastolic_not_below_systolic": _("%(field)s must be lower than the systolic pressure."),
    "direction_required": _("%(field)s is required when the rotation is more than 0°."),
    "direction_must_be_none": _("%(field)s must be empty when the rotation is 0°."),
    "side_required": _("%(field)s is required when the finding is positive."),
    "side_must_be_empty": _("%(field)s must be empty when the finding is negative."),
    "pattern_only_when_abnormal": _("%(field)s can only be given when the gait is abnormal."),
    "beats_or_sustained": _(
        "%(field)s: record either a number of beats or that clonus is sustained."
    ),
    "baseline_required": _("%(field)s is required for a complaint that existed before treatment."),
    "baseline_must_be_empty": _("%(field)s must be empty for a new complaint."),
    "entry_mismatch": _("%(field)s %(value)s does not match the magnitude in millimetres."),
    "romberg_order": _(
        "%(field)s: give the eyes-open trial first and the eyes-closed trial second."
    ),
    "empty": _("%(field)s must contain at least one entry."),
    "too_long": _("%(field)s must be at most %(max)s characters; got %(value)s."),
}

assert set(TRANSLATED) == set(MESSAGES), "exam error codes out of step with the core"


def as_validation_error(
    err: ExamValidationError,
    label: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> ValidationError:
    """The core error as a translated Django error; ``label`` replaces the attribute name and
    ``overrides`` replace other params (e.g. choices named as the form shows them)."""
    params = {**err.params, **(overrides or {})}
    if label:
        params["field"] = label
    return ValidationError(TRANSLATED[err.code], code=err.code, params=params)
