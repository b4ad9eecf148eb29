"""The Cook myelopathy cluster, once, for the exam and the screen.

Source: Cook C et al., Clustered clinical findings for diagnosis of cervical spine myelopathy,
J Man Manip Ther 2010;18(4):175-180: five items (gait deviation, Hoffmann, inverted supinator,
Babinski, age > 45); >= 3 positive rules in (LR+ 30.9), <= 1 positive rules out (LR- 0.18)."""

from __future__ import annotations

import pytest

from atlaschart.measure.safety import ScreenConfig, screen
from atlaschart.measure.safety.cook import (
    COOK_ITEMS,
    CookInterpretation,
    CookRule,
    age_item,
    cook_cluster,
)


def items(*positive: str, missing: tuple[str, ...] = ()) -> dict[str, bool | None]:
    return {k: (None if k in missing else k in positive) for k in COOK_ITEMS}


@pytest.mark.parametrize(
    ("given", "count", "interpretation", "lr", "rules_in"),
    [
        (items(), 0, CookInterpretation.RULE_OUT, 0.18, False),
        (items("hoffmann"), 1, CookInterpretation.RULE_OUT, 0.18, False),
        (items("hoffmann", "babinski"), 2, CookInterpretation.INDETERMINATE, None, False),
        (items("hoffmann", "babinski", "age_over_45"), 3, CookInterpretation.RULE_IN, 30.9, True),
        # One positive and one missing: 2 at most, so not a rule-out (fails closed) ...
        (
            items("hoffmann", missing=("babinski",)),
            1,
            CookInterpretation.INDETERMINATE,
            None,
            False,
        ),
        # ... two positive and one missing: rule-in depends on the missing item.
        (
            items("hoffmann", "babinski", missing=("gait_deviation",)),
            2,
            CookInterpretation.INDETERMINATE,
            None,
            None,
        ),
    ],
)
def test_cluster(given, count, interpretation, lr, rules_in) -> None:
    result = cook_cluster(given)
    assert (result.positive_count, result.interpretation) == (count, interpretation)
    assert (result.likelihood_ratio, result.rules_in) == (lr, rules_in)


def test_age_item_is_strictly_over_45() -> None:
    rule = CookRule()
    assert (age_item(45, rule), age_item(46, rule), age_item(None, rule)) == (False, True, None)


def test_the_rule_is_validated() -> None:
    with pytest.raises(ValueError):
        CookRule(min_positive=6)
    with pytest.raises(ValueError):
        CookRule(min_positive=2, max_positive_rule_out=2)
    with pytest.raises(ValueError):
        cook_cluster({"hoffmann": True})


def _answers(**signs: object) -> dict[str, object]:
    # N2 not answered, so only the signs decide it.
    return {"N2": None, **signs}


def test_the_screen_counts_the_cluster_with_the_configured_threshold() -> None:
    # Gait, inverted supinator and age 52: 3 of 5 -> N2 positive at the default threshold.
    three = _answers(sign_gait_abnormal=True, sign_inverted_supinator=True, age_years=52)
    rules = {f.rule: f for f in screen(three).findings}
    assert rules["N2"].params["cook_positive"] == 3
    assert "Cook cluster 3/5" in rules["N2"].reason
    # Two of five: positive only when the clinic sets the threshold to 2.
    two = _answers(sign_inverted_supinator=True, age_years=52)
    assert "N2" not in {f.rule for f in screen(two).findings}
    assert "N2" in {f.rule for f in screen(two, ScreenConfig(cook_min_positive=2)).findings}
    # The age item follows the configuration too: 52 is not over 55.
    over_55 = ScreenConfig(cook_age_over_years=55)
    assert "N2" not in {f.rule for f in screen(three, over_55).findings}
