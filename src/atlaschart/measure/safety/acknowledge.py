"""What a clinician's acknowledgement of a finding may do.

Two actions exist for each finding:

* ``acknowledge``: "I have seen this; its block stands." Always allowed. For ``H`` a written
  reason is required, because mobilising after an H finding needs the clinician's documented
  reasoning (the red-flag table's action code H, docs/safety.md).
* ``override``: "I have seen this and will go ahead with the technique it blocks." Never allowed
  for ``E`` or for a finding marked not overridable (G2, the patient's refusal of consent). For
  ``B-urgent``, ``B-routine`` and ``H`` it needs a written reason of at least
  ``MIN_REASON_CHARS`` non-blank characters (so "ok" is not a reason). A ``W`` blocks nothing, so
  there is nothing to override: acknowledge it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from atlaschart.measure.safety.findings import Finding

Action = Literal["acknowledge", "override"]
MIN_REASON_CHARS = 10


@dataclass(frozen=True)
class AcknowledgementDecision:
    allowed: bool
    needs_reason: bool
    message: str


def _reason_ok(reason: str | None) -> bool:
    return reason is not None and len("".join(reason.split())) >= MIN_REASON_CHARS


def allowed_actions(finding: Finding) -> tuple[Action, ...]:
    """The actions a form may offer for ``finding``."""
    if finding.level == "W" or not finding.overridable:
        return ("acknowledge",)
    return ("acknowledge", "override")


def decide_acknowledgement(
    finding: Finding, action: Action, reason: str | None = None
) -> AcknowledgementDecision:
    """Whether ``action`` on ``finding`` with ``reason`` may be recorded, and why not."""
    needs_reason = finding.level == "H" or (action == "override" and finding.level != "W")
    if action not in ("acknowledge", "override"):
        return AcknowledgementDecision(False, False, f"unknown action {action!r}")
    if action == "override":
        if finding.level == "E":
            return AcknowledgementDecision(
                False, False, f"{finding.rule} is an emergency finding and can never be overridden"
            )
        if not finding.overridable:
            return AcknowledgementDecision(
                False, False, f"{finding.rule} cannot be overridden by a clinician"
            )
        if finding.level == "W":
            return AcknowledgementDecision(
                False, False, f"{finding.rule} is a precaution that blocks nothing; acknowledge it"
            )
    if needs_reason and not _reason_ok(reason):
        what = "overriding" if action == "override" else "acknowledging"
        return AcknowledgementDecision(
            False,
            True,
            f"{what} {finding.rule} ({finding.level}) needs a written reason of at least "
            f"{MIN_REASON_CHARS} characters",
        )
    verb = "override" if action == "override" else "acknowledgement"
    return AcknowledgementDecision(True, needs_reason, f"{verb} of {finding.rule} may be recorded")
