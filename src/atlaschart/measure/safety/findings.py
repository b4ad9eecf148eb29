"""Findings of the pre-treatment safety screen, their action levels, and the overall level.

Action levels (the red-flag table, docs/safety.md; sources in docs/sources.md):

* ``E``: emergency. Stop; advise the emergency department or call 119 (Korea). Never overridable.
* ``B-urgent``: block all cervical manual therapy (thrust and non-thrust); medical referral the
  same day / within 24 h.
* ``B-routine``: block all cervical manual therapy; medical referral before the next session.
* ``H``: block high-velocity thrust only; mobilisation or exercise after clinician review, with the
  clinician's reasoning documented.
* ``W``: precaution; the clinician acknowledges it; informed consent and modified dosage advised.

The overall level is the most severe finding, ``E > B-urgent > B-routine > H > W``; with no
finding it is ``none-found``. The screen never says "cleared".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from atlaschart.measure.provenance import Algorithm
from atlaschart.measure.safety.reasons import REASON_CODES, ParamValue

Level = Literal["E", "B-urgent", "B-routine", "H", "W"]
OverallLevel = Literal["E", "B-urgent", "B-routine", "H", "W", "none-found"]

LEVELS: tuple[Level, ...] = ("E", "B-urgent", "B-routine", "H", "W")
"""Most severe first."""

NONE_FOUND: OverallLevel = "none-found"


def severity(level: OverallLevel) -> int:
    """Higher is more severe: E = 5 ... W = 1, none-found = 0."""
    if level == NONE_FOUND:
        return 0
    return len(LEVELS) - LEVELS.index(level)


@dataclass(frozen=True)
class Finding:
    """One reason to block, escalate or warn. ``rule`` is the table's item id (``V1``), a sub-id
    (``V6:smoking``) or ``incomplete:<item>`` for an unanswered item. ``overridable`` is False for
    every E finding and for findings that no clinician may override (G2, the patient's refusal
    of consent).

    ``code`` and ``params`` say why in a form a page translates (``reasons.REASON_CODES``);
    ``reason`` is the same in English (the CLI's text). A finding built without a code (an old
    stored screen) has ``code`` empty and only its English ``reason``."""

    rule: str
    level: Level
    reason: str
    overridable: bool = True
    code: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}")
        if not self.rule or not self.reason:
            raise ValueError("a finding needs a rule id and a reason")
        if self.code and self.code not in REASON_CODES:
            raise ValueError(f"unknown reason code {self.code!r}")
        if self.level == "E" and self.overridable:
            # E can never be overridden: enforce it here so no caller can build one that is.
            object.__setattr__(self, "overridable", False)

    def as_json(self) -> dict[str, object]:
        """The CLI's shape (stable): rule, level and the English reason."""
        return {"rule": self.rule, "level": self.level, "reason": self.reason}

    def as_record(self) -> dict[str, object]:
        """What the web layer stores: the CLI's shape plus overridable, code and params."""
        return {
            **self.as_json(),
            "overridable": self.overridable,
            "code": self.code,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()},
        }

    @classmethod
    def from_record(cls, stored: Mapping[str, Any]) -> Finding:
        """The finding of :meth:`as_record` (or of an older record without a code)."""
        params = {
            k: tuple(v) if isinstance(v, list) else v
            for k, v in (stored.get("params") or {}).items()
        }
        return cls(
            stored["rule"],
            stored["level"],
            stored["reason"],
            bool(stored.get("overridable", True)),
            stored.get("code") or "",
            params,
        )


def overall_level(findings: Iterable[Finding]) -> OverallLevel:
    """The most severe level among ``findings``, or ``none-found``."""
    worst: OverallLevel = NONE_FOUND
    for finding in findings:
        if severity(finding.level) > severity(worst):
            worst = finding.level
    return worst


@dataclass(frozen=True)
class ScreenResult:
    """The outcome of one screen: rules version, overall level, findings (most severe first).

    ``parameters`` records the configurable thresholds in force, so a stored result can be
    recomputed from the stored answers."""

    rules_version: str
    level: OverallLevel
    findings: tuple[Finding, ...]
    algorithm: Algorithm
    parameters: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.level != overall_level(self.findings):
            raise ValueError("level must be the most severe finding's level")

    def as_json(self) -> dict[str, object]:
        """The CLI/JSON shape of ``atlaschart screen`` (docs/cli.md)."""
        return {
            "rules_version": self.rules_version,
            "level": self.level,
            "findings": [finding.as_json() for finding in self.findings],
        }
