"""Pre-manual-therapy safety screening: versioned red-flag rules that fail closed.

Public API::

    screen(raw_answers, config=None) -> ScreenResult       (ScreenInputError when malformed)
    SCREENING_QUESTIONS, RISK_FACTORS, CLINICIAN_SIGNS      (EN + KO wording for the forms)
    decide_acknowledgement(finding, action, reason) -> AcknowledgementDecision
    allowed_actions(finding) -> ("acknowledge", ["override"])
    gate.decide(findings, resolutions, technique_class) -> GateDecision   (the signing gate)
    cook.cook_cluster(items, CookRule()) -> CookCount                    (Cook myelopathy cluster)
    REASON_CODES                                            (every finding's ``code``; reasons.py)

See docs/safety.md.
"""

from atlaschart.measure.safety.acknowledge import (
    MIN_REASON_CHARS,
    AcknowledgementDecision,
    allowed_actions,
    decide_acknowledgement,
)
from atlaschart.measure.safety.findings import (
    LEVELS,
    NONE_FOUND,
    Finding,
    ScreenResult,
    overall_level,
    severity,
)
from atlaschart.measure.safety.gate import GateDecision, GateReason, TechniqueClass
from atlaschart.measure.safety.questions import (
    CLINICIAN_SIGNS,
    RISK_FACTORS,
    SCREENING_ITEMS,
    SCREENING_QUESTIONS,
    ScreeningQuestion,
)
from atlaschart.measure.safety.reasons import REASON_CODES
from atlaschart.measure.safety.rules import (
    RULES_VERSION,
    SCREEN_ALGORITHM,
    ScreenConfig,
    ScreenInputError,
    parse_screen_answers,
    screen,
)

__all__ = [
    "CLINICIAN_SIGNS",
    "LEVELS",
    "MIN_REASON_CHARS",
    "NONE_FOUND",
    "REASON_CODES",
    "RISK_FACTORS",
    "RULES_VERSION",
    "SCREENING_ITEMS",
    "SCREENING_QUESTIONS",
    "SCREEN_ALGORITHM",
    "AcknowledgementDecision",
    "Finding",
    "GateDecision",
    "GateReason",
    "ScreenConfig",
    "ScreenInputError",
    "ScreenResult",
    "ScreeningQuestion",
    "TechniqueClass",
    "allowed_actions",
    "decide_acknowledgement",
    "overall_level",
    "parse_screen_answers",
    "screen",
    "severity",
]
