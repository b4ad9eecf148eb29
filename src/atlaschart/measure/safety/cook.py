"""The Cook clinical cluster for cervical myelopathy: the one implementation.

Cook C, Brown C, Isaacs R, Roman M, Davis S, Richardson W. Clustered clinical findings for
diagnosis of cervical spine myelopathy. J Man Manip Ther 2010;18(4):175-180 (PubMed 22131790).
Five items: gait deviation, positive Hoffmann sign, inverted supinator sign, positive Babinski
sign, age over 45 years. Three or more positive: LR+ 30.9 (rules myelopathy in); at most one
positive: LR- 0.18 (rules it out); otherwise indeterminate.

Both the neurological exam (``measure.exam.neuro``) and the safety screen's rule N2 use
:func:`cook_cluster`; the thresholds are a :class:`CookRule`, so a clinic that sets another
threshold for the screen sets it in one place.

Missing items (None: not examined) fail closed: the cluster rules out only when the count would
stay at or below the rule-out threshold even were every missing item positive, and it is "not
reachable" only when the rule-in threshold could not be met even so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlaschart.measure.provenance import Algorithm

COOK_CLUSTER = Algorithm("exam.cook_myelopathy_cluster", "1")

#: The five items, in the paper's order.
COOK_ITEMS: tuple[str, ...] = (
    "gait_deviation",
    "hoffmann",
    "inverted_supinator",
    "babinski",
    "age_over_45",
)

#: Published likelihood ratios (Cook et al. 2010).
COOK_LR_POSITIVE = 30.9
COOK_LR_NEGATIVE = 0.18


class CookInterpretation(StrEnum):
    RULE_IN = "rule_in"  # >= min_positive of 5 positive: LR+ 30.9
    RULE_OUT = "rule_out"  # <= max_positive_rule_out of 5 positive: LR- 0.18
    INDETERMINATE = "indeterminate"  # between the two, or too many items not examined


@dataclass(frozen=True)
class CookRule:
    """Thresholds of the cluster. Defaults are the published ones."""

    min_positive: int = 3
    """Positive items that rule myelopathy in."""
    max_positive_rule_out: int = 1
    """At most this many positive items (counting missing ones as positive) rules it out."""
    age_over_years: float = 45
    """The age item is positive above this age (years)."""

    def __post_init__(self) -> None:
        if not 1 <= self.min_positive <= len(COOK_ITEMS):
            raise ValueError("cook min_positive must be 1..5")
        if not 0 <= self.max_positive_rule_out < self.min_positive:
            raise ValueError("cook max_positive_rule_out must be 0..min_positive-1")
        if self.age_over_years < 0:
            raise ValueError("cook age_over_years must be >= 0")


@dataclass(frozen=True)
class CookCount:
    """The cluster's count. ``items`` maps each of :data:`COOK_ITEMS` to True/False/None."""

    items: dict[str, bool | None]
    positive_count: int
    missing_count: int
    interpretation: CookInterpretation
    likelihood_ratio: float | None
    rules_in: bool | None
    """True: the rule-in threshold is met; False: it cannot be met even were every missing item
    positive; None: it depends on items not examined."""


def age_item(age_years: float | None, rule: CookRule) -> bool | None:
    """The age item: None when the age is unknown."""
    return None if age_years is None else age_years > rule.age_over_years


def cook_cluster(items: dict[str, bool | None], rule: CookRule | None = None) -> CookCount:
    """Count the cluster. ``items`` must give every one of :data:`COOK_ITEMS` (None = not
    examined); the age item is usually :func:`age_item`."""
    rule = rule or CookRule()
    if set(items) != set(COOK_ITEMS):
        raise ValueError(f"cook items must be exactly {', '.join(COOK_ITEMS)}")
    ordered = {key: items[key] for key in COOK_ITEMS}
    positive = sum(1 for x in ordered.values() if x is True)
    missing = sum(1 for x in ordered.values() if x is None)
    if positive >= rule.min_positive:
        interpretation, lr = CookInterpretation.RULE_IN, COOK_LR_POSITIVE
    elif positive + missing <= rule.max_positive_rule_out:
        interpretation, lr = CookInterpretation.RULE_OUT, COOK_LR_NEGATIVE
    else:
        interpretation, lr = CookInterpretation.INDETERMINATE, None
    rules_in: bool | None
    if positive >= rule.min_positive:
        rules_in = True
    elif positive + missing < rule.min_positive:
        rules_in = False
    else:
        rules_in = None
    return CookCount(ordered, positive, missing, interpretation, lr, rules_in)
