"""Adverse events after treatment, asked at the next visit.

Definition (symptomatic reaction): a NEW complaint, or an existing complaint WORSE BY MORE THAN
30%, beginning within 24 h of treatment (Eriksen, Rochester & Hurwitz 2011, an upper cervical
cohort; docs/sources.md ``[eriksen-2011-uc-cohort]``). "Intense": severity NRS >= 8 on 0–10, the
same source's cut-off. Serious: that cohort gives no operational definition, and the manual
therapy literature has no common one (Funabashi et al. 2022 found causality, severity, onset and
duration the usual descriptors, ``[funabashi-2022-ae-definitions]``); we use the regulatory
seriousness criteria of ICH E2A (death, life-threatening, hospitalisation/emergency care,
persistent disability; ``[ich-e2a-1994]``) plus new neurological deficit for the stroke and
cervical artery dissection concern (Biller et al. 2014, ``[biller-2014-aha-cad]``), ticked by the
clinician. Serious events are escalated regardless of the 24 h window. All numbers are
configurable in :class:`AdverseEventRules`.

Units: severity on the 0–10 numeric rating scale; onset and duration in hours after treatment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam.errors import ExamValidationError
from atlaschart.measure.provenance import Algorithm

ADVERSE_EVENT_RULE = Algorithm("exam.adverse_event", "1")

MAX_ONSET_H = 24.0 * 30  # asked at the next visit; a month covers long gaps between visits
MAX_DURATION_H = 24.0 * 365


class SeriousCriterion(StrEnum):
    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALISATION = "hospitalisation"  # admission or emergency department care
    PERSISTENT_DISABILITY = "persistent_disability"
    NEW_NEUROLOGICAL_DEFICIT = "new_neurological_deficit"  # e.g. stroke, TIA, CAD signs


@dataclass(frozen=True)
class PostTreatmentComplaint:
    """A complaint reported at the follow-up question.

    ``is_new``: not present before the treatment. ``severity_0_10``: worst severity since the
    treatment (1–10 for a new complaint). ``baseline_severity_0_10``: severity before treatment,
    required iff the complaint is not new. ``onset_h``: hours from treatment to onset.
    ``duration_h``: hours it lasted; None while ongoing.
    """

    description: str
    is_new: bool
    severity_0_10: int
    onset_h: float
    baseline_severity_0_10: int | None = None
    duration_h: float | None = None
    serious_criteria: tuple[SeriousCriterion, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "description", v.text("description", self.description, 200))
        v.boolean("is_new", self.is_new)
        v.integer("severity_0_10", self.severity_0_10, 1 if self.is_new else 0, 10)
        if self.is_new and self.baseline_severity_0_10 is not None:
            raise ExamValidationError("baseline_must_be_empty", "baseline_severity_0_10")
        if not self.is_new:
            if self.baseline_severity_0_10 is None:
                raise ExamValidationError("baseline_required", "baseline_severity_0_10")
            v.integer("baseline_severity_0_10", self.baseline_severity_0_10, 0, 10)
        object.__setattr__(self, "onset_h", v.number("onset_h", self.onset_h, 0.0, MAX_ONSET_H))
        if self.duration_h is not None:
            dur = v.number("duration_h", self.duration_h, 0.0, MAX_DURATION_H)
            object.__setattr__(self, "duration_h", dur)
        crit = tuple(self.serious_criteria)
        for c in crit:
            v.choice("serious_criteria", c, SeriousCriterion)
        if len(set(crit)) != len(crit):
            raise ExamValidationError("duplicate", "serious_criteria", value="criterion")
        object.__setattr__(self, "serious_criteria", crit)


@dataclass(frozen=True)
class AdverseEventRules:
    """Thresholds. Defaults from Eriksen et al. 2011: worsening > 30%, within 24 h, intense at
    NRS >= 8. ``escalate_intense``: also raise intense (non-serious) events to the clinic admin;
    on by default so the rule fails towards telling someone."""

    worsening_pct: float = 30.0
    window_h: float = 24.0
    intense_min_severity: int = 8
    escalate_intense: bool = True

    def __post_init__(self) -> None:
        v.number("worsening_pct", self.worsening_pct, 0.0, 1000.0)
        v.number("window_h", self.window_h, 0.0, MAX_ONSET_H)
        v.integer("intense_min_severity", self.intense_min_severity, 1, 10)
        v.boolean("escalate_intense", self.escalate_intense)


class AdverseEventClass(StrEnum):
    NONE = "none"  # not an adverse event by the definition
    SYMPTOMATIC_REACTION = "symptomatic_reaction"  # AE, severity below the intense cut-off
    INTENSE = "intense"  # AE with severity >= intense_min_severity
    SERIOUS = "serious"  # any seriousness criterion ticked


@dataclass(frozen=True)
class AdverseEventAssessment:
    """Result of :func:`classify_complaint`. ``worsening_pct`` is (after − before)/before × 100,
    None for a new complaint or a zero baseline (a complaint rising from 0 counts as new)."""

    is_adverse_event: bool
    classification: AdverseEventClass
    escalate_to_admin: bool
    within_window: bool
    worsening_pct: float | None
    algorithm: Algorithm = field(default=ADVERSE_EVENT_RULE)


def classify_complaint(
    complaint: PostTreatmentComplaint, rules: AdverseEventRules | None = None
) -> AdverseEventAssessment:
    """Apply the adverse-event definition and the seriousness classification to one complaint."""
    rules = rules or AdverseEventRules()
    within = complaint.onset_h <= rules.window_h
    worsening: float | None = None
    if complaint.is_new:
        qualifies = True
    else:
        base = complaint.baseline_severity_0_10
        assert base is not None  # enforced in __post_init__
        if base == 0:
            qualifies = complaint.severity_0_10 > 0
        else:
            worsening = round((complaint.severity_0_10 - base) / base * 100.0, 6)
            qualifies = worsening > rules.worsening_pct
    serious = bool(complaint.serious_criteria)
    is_ae = serious or (within and qualifies)
    if serious:
        cls = AdverseEventClass.SERIOUS
    elif not is_ae:
        cls = AdverseEventClass.NONE
    elif complaint.severity_0_10 >= rules.intense_min_severity:
        cls = AdverseEventClass.INTENSE
    else:
        cls = AdverseEventClass.SYMPTOMATIC_REACTION
    escalate = serious or (cls is AdverseEventClass.INTENSE and rules.escalate_intense)
    return AdverseEventAssessment(is_ae, cls, escalate, within, worsening)
