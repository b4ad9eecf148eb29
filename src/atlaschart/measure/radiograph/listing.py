"""Clinic-supplied listing rule tables. AtlasChart ships none and invents no listing formula.

Technique manuals (NUCCA, Orthospinology, Atlas Orthogonal, Blair, Knee-Chest) do not publish how
listings and adjustment vectors follow from the measured angles (Woodfield et al. 2015,
``[woodfield-2015-precis]``), so a clinic may
supply its own table; without one the clinician enters the listing and the page says so.

Table format (JSON-compatible)::

    {"id": "clinic-listing", "version": "3", "view": "nasium",
     "rules": [{"when": {"atlas_laterality_deg": {"side": "left", "min": 0.25, "max": 90}},
                "listing": "L", "vector": {"laterality_deg": 1.5}}, ...]}

A rule matches when every condition holds: the value exists, its side equals ``side`` (when
given; ``null`` means "no side"), and ``min ≤ value ≤ max`` (either bound optional). Rules are
tried in order; the first match wins. ``vector`` is optional free-form numbers the clinic defines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

_ANY = "any"


@dataclass(frozen=True)
class Condition:
    """``value_name`` lies in [min_value, max_value] with the given side (``"any"``: unchecked)."""

    value_name: str
    side: str | None = _ANY
    min_value: float | None = None
    max_value: float | None = None

    def __post_init__(self) -> None:
        if not self.value_name:
            raise ValueError("condition needs a value name")
        if self.side not in (_ANY, None, "left", "right"):
            raise ValueError(f"condition on {self.value_name}: side must be left, right or null")
        for bound in (self.min_value, self.max_value):
            if bound is not None and not math.isfinite(bound):
                raise ValueError(f"condition on {self.value_name}: bounds must be finite")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError(f"condition on {self.value_name}: min is greater than max")

    def holds(self, values: Mapping[str, tuple[float, str | None]]) -> bool:
        if self.value_name not in values:
            return False
        value, side = values[self.value_name]
        if self.side != _ANY and side != self.side:
            return False
        if self.min_value is not None and value < self.min_value:
            return False
        return not (self.max_value is not None and value > self.max_value)


@dataclass(frozen=True)
class Rule:
    conditions: tuple[Condition, ...]
    listing: str
    vector: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if not self.conditions:
            raise ValueError("a rule needs at least one condition")
        if not self.listing.strip():
            raise ValueError("a rule needs a non-empty listing")


@dataclass(frozen=True)
class RuleTable:
    id: str
    version: str
    view: str
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        if not self.id or not self.version or not self.view:
            raise ValueError("rule table needs id, version and view")
        if not self.rules:
            raise ValueError(f"rule table {self.id}: no rules")

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def value_names(self) -> frozenset[str]:
        return frozenset(c.value_name for r in self.rules for c in r.conditions)


@dataclass(frozen=True)
class ListingOutcome:
    """Where a listing comes from; ``source == "clinician"``: the clinician enters it."""

    source: Literal["rule-table", "clinician"]
    listing: str | None = None
    vector: tuple[tuple[str, float], ...] = ()
    table: str | None = None
    rule_index: int | None = None


def evaluate(
    table: RuleTable | None, values: Mapping[str, tuple[float, str | None]]
) -> ListingOutcome:
    """First matching rule of ``table`` for ``values`` (name → (value, side)), else clinician."""
    if table is None:
        return ListingOutcome(source="clinician")
    for i, rule in enumerate(table.rules):
        if all(c.holds(values) for c in rule.conditions):
            return ListingOutcome("rule-table", rule.listing, rule.vector, table.label, i)
    return ListingOutcome(source="clinician", table=table.label)


def _bound(raw: Mapping[str, Any], key: str, where: str) -> float | None:
    v = raw.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{where}: {key} must be a number")
    return float(v)


def rule_table_from_dict(data: Any) -> RuleTable:
    """Validate a clinic rule table (format in the module docstring). Raises ValueError."""
    if not isinstance(data, dict):
        raise ValueError("rule table must be a JSON object")
    for key in ("id", "version", "view"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"rule table {key} must be a string")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        raise ValueError("rule table rules must be a list")
    rules = []
    for i, rr in enumerate(raw_rules):
        where = f"rule table {data['id']} rule {i}"
        if not isinstance(rr, dict) or not isinstance(rr.get("when"), dict):
            raise ValueError(f"{where}: needs a 'when' object")
        conditions = []
        for name, cond in rr["when"].items():
            if not isinstance(cond, dict):
                raise ValueError(f"{where}: condition on {name} must be an object")
            unknown = set(cond) - {"side", "min", "max"}
            if unknown:
                raise ValueError(f"{where}: unknown condition keys {sorted(unknown)}")
            conditions.append(
                Condition(
                    value_name=name,
                    side=cond.get("side", _ANY) if "side" in cond else _ANY,
                    min_value=_bound(cond, "min", where),
                    max_value=_bound(cond, "max", where),
                )
            )
        listing = rr.get("listing")
        if not isinstance(listing, str):
            raise ValueError(f"{where}: listing must be a string")
        raw_vector = rr.get("vector", {})
        if not isinstance(raw_vector, dict):
            raise ValueError(f"{where}: vector must be an object of numbers")
        vector = tuple((str(k), _bound(raw_vector, k, where) or 0.0) for k in raw_vector)
        rules.append(Rule(tuple(conditions), listing, vector))
    return RuleTable(data["id"], data["version"], data["view"], tuple(rules))
