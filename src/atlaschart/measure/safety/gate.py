"""The signing gate: findings + the clinician's acknowledgements + a technique class -> allowed or
blocked, with the reasons as codes. Pure: the web layer reads the stored screen and calls this.

What each level blocks (the red-flag table's action codes, docs/safety.md):

=============  =====================  ==============================  ================
level          thrust                 low-force / non-thrust          not manual
=============  =====================  ==============================  ================
``E``          blocked, always        blocked, always                 blocked, always
``B-*``        blocked until override blocked until override          blocked until override
``H``          blocked until override blocked until reviewed (ack)    allowed
``W``          blocked until ack      blocked until ack               blocked until ack
=============  =====================  ==============================  ================

* ``E`` can never be overridden; ``B-*`` and ``H`` only with a written reason (``acknowledge.py``)
  and never when the finding is not overridable (G2, the patient's own refusal).
* ``H`` blocks high-velocity thrust; mobilisation and low-force work are allowed "after clinician
  review, with the clinician's reasoning documented": the acknowledgement (which needs a reason
  for H) is that review.
* ``B`` blocks all manual therapy and refers; an injection is not manual therapy, but a patient
  who needs a same-day medical referral is not injected either (fail closed).
* ``W`` blocks nothing once acknowledged: the precaution has been seen.

Fails closed: no screen, a screen older than ``max_age_days``, an unknown technique class or an
unknown level block; an override of a finding that may not be overridden counts for nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from atlaschart.measure.safety.findings import Finding, severity

Resolution = Literal["acknowledge", "override"]


class TechniqueClass(StrEnum):
    """What kind of treatment is to be signed, as far as the gate cares."""

    THRUST = "thrust"
    """High-velocity thrust (HVLA, toggle-recoil, knee-chest)."""
    LOW_FORCE = "low-force"
    """Low-force or instrument upper cervical work, mobilisation, soft tissue, exercise."""
    NOT_MANUAL = "not-manual"
    """No manual therapy (an injection)."""


#: Gate reason codes (the web layer translates each).
NOT_SCREENED = "not-screened"
SCREEN_EXPIRED = "screen-expired"
EMERGENCY = "emergency"
NEEDS_OVERRIDE = "needs-override"
THRUST_NEEDS_OVERRIDE = "thrust-needs-override"
NEEDS_REVIEW = "needs-review"
NEEDS_ACKNOWLEDGEMENT = "needs-acknowledgement"
GATE_CODES = frozenset(
    {
        NOT_SCREENED,
        SCREEN_EXPIRED,
        EMERGENCY,
        NEEDS_OVERRIDE,
        THRUST_NEEDS_OVERRIDE,
        NEEDS_REVIEW,
        NEEDS_ACKNOWLEDGEMENT,
    }
)

DEFAULT_MAX_AGE_DAYS = 30
"""Re-screen after a gap of more than 4 weeks (the red-flag table's implementation notes)."""


@dataclass(frozen=True)
class GateReason:
    """Why a treatment is blocked: ``code`` (one of :data:`GATE_CODES`) and, for a finding, the
    finding itself (its own reason code says what was found)."""

    code: str
    finding: Finding | None = None


@dataclass(frozen=True)
class GateDecision:
    technique: TechniqueClass
    reasons: tuple[GateReason, ...]

    @property
    def allowed(self) -> bool:
        return not self.reasons


def _blocks(
    finding: Finding, resolution: Resolution | None, technique: TechniqueClass
) -> str | None:
    """The gate code by which ``finding`` blocks ``technique`` (None: it does not)."""
    overridden = resolution == "override" and finding.overridable and finding.level != "E"
    if finding.level == "E":
        return EMERGENCY
    if finding.level in ("B-urgent", "B-routine"):
        return None if overridden else NEEDS_OVERRIDE
    if finding.level == "H":
        if overridden or technique == TechniqueClass.NOT_MANUAL:
            return None
        if technique == TechniqueClass.THRUST:
            return THRUST_NEEDS_OVERRIDE
        return None if resolution is not None else NEEDS_REVIEW
    if finding.level == "W":
        return None if resolution is not None else NEEDS_ACKNOWLEDGEMENT
    return EMERGENCY  # a level this gate does not know: block as the worst


def decide(
    findings: Sequence[Finding] | None,
    resolutions: Mapping[str, Resolution],
    technique: TechniqueClass,
    *,
    screen_age_days: float | None = None,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
) -> GateDecision:
    """Whether ``technique`` may be signed now.

    ``findings`` is the latest screen's findings, or None when the patient has no screen.
    ``resolutions`` maps a finding's ``rule`` to the deciding acknowledgement (an override wins
    over a plain acknowledgement). ``screen_age_days`` is how old the screen is (days); a screen
    older than ``max_age_days`` blocks until the patient is screened again. Reasons come most
    severe first."""
    if not isinstance(technique, TechniqueClass):
        raise ValueError(f"unknown technique class {technique!r}")
    if findings is None:
        return GateDecision(technique, (GateReason(NOT_SCREENED),))
    if screen_age_days is not None and screen_age_days > max_age_days:
        return GateDecision(technique, (GateReason(SCREEN_EXPIRED),))
    reasons = []
    for finding in sorted(findings, key=lambda f: -severity(f.level)):
        code = _blocks(finding, resolutions.get(finding.rule), technique)
        if code is not None:
            reasons.append(GateReason(code, finding))
    return GateDecision(technique, tuple(reasons))


def decide_all(
    findings: Sequence[Finding] | None,
    resolutions: Mapping[str, Resolution],
    *,
    screen_age_days: float | None = None,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
) -> dict[TechniqueClass, GateDecision]:
    """:func:`decide` for every technique class: what the banner says is allowed now."""
    return {
        technique: decide(
            findings,
            resolutions,
            technique,
            screen_age_days=screen_age_days,
            max_age_days=max_age_days,
        )
        for technique in TechniqueClass
    }


def unreviewed(findings: Sequence[Finding], resolutions: Mapping[str, Resolution]) -> list[Finding]:
    """Findings no clinician has acknowledged or overridden yet (front desk's "needs a
    clinician")."""
    return [f for f in findings if f.rule not in resolutions]
