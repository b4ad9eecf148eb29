"""The validation error contract the Django layer translates (docs/exam.md, "Validation errors")."""

from __future__ import annotations

import re

import pytest

from atlaschart.measure.exam import MESSAGES, ExamValidationError, Side, parse_choice
from atlaschart.measure.exam.leg_check import LegCheckType


def test_out_of_range_message_and_params() -> None:
    err = ExamValidationError("out_of_range", "magnitude_mm", min=0, max=50, value=70)
    assert err.code == "out_of_range"
    assert err.field == "magnitude_mm"
    assert err.params == {"field": "magnitude_mm", "min": 0, "max": 50, "value": 70}
    assert str(err) == "magnitude_mm must be between 0 and 50; got 70."
    assert err.as_dict()["message"] == str(err)
    assert isinstance(err, ValueError)


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        ExamValidationError("nope", "x")


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_template_uses_only_named_placeholders(code: str) -> None:
    # Django's translation needs %(name)s placeholders only; a bare % would break interpolation.
    template = MESSAGES[code]
    stripped = re.sub(r"%\([a-z_]+\)s", "", template)
    assert "%" not in stripped
    names = set(re.findall(r"%\(([a-z_]+)\)s", template))
    assert "field" in names  # every message names the field it is about
    err = ExamValidationError(code, "the_field", **{n: "X" for n in names if n != "field"})
    assert "the_field" in str(err)
    assert "%(" not in str(err)


def test_parse_choice() -> None:
    assert parse_choice(Side, "side", "left") is Side.LEFT
    assert parse_choice(LegCheckType, "check_type", "prone_knees_flexed") is (
        LegCheckType.PRONE_KNEES_FLEXED
    )
    with pytest.raises(ExamValidationError) as err:
        parse_choice(Side, "side", "middle")
    assert err.value.code == "invalid_choice"
    assert err.value.params["choices"] == "left, right"
    assert err.value.params["value"] == "'middle'"
