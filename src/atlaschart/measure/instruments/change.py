"""Change between two scores of the same instrument: responder classification.

Algorithm (Ostelo et al. 2008; docs/instruments.md, thresholds configurable):

1. Orient the change so that positive means improvement: ``change = baseline - followup`` for
   instruments where higher is worse, ``followup - baseline`` where higher is better (PSFS).
2. Not evaluable when the two scores are of different instruments, versions or languages, when
   either is not scorable, or when the baseline leaves too little room to improve: room =
   distance from the baseline to the instrument's best score, and the absolute threshold
   ``max(MCID, MDC)`` must fit in it (e.g. NPRS baseline 1 with MCID 2; ODI 9 with MCID 10).
3. ``change_percent`` = change / room x 100. For scales whose best score is 0 (NPRS, NDI, ODI,
   RMDQ, Bournemouth, DHI) this is the percentage of the baseline, as in Ostelo 2008; for
   HIT-6 (best 36) and PSFS (best 10) it is the share of the possible improvement achieved.
4. improved: change > 0, change >= max(MCID, MDC) (criteria set to ``None`` are skipped) and
   change_percent >= improved_percent. substantially-improved: improved and change_percent >=
   substantial_percent (IMMPACT 50%). worse: the decline is >= the MDC (or the MCID when no MDC
   is known; or, with neither, a decline of improved_percent). Otherwise unchanged.
   A decline past the MDC/MCID is reported as worse before the room check of step 2, because
   getting worse matters even when there was little room to improve.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from atlaschart.measure.instruments.catalogue import get_instrument
from atlaschart.measure.instruments.model import ChangeRule, Score, plain_number
from atlaschart.measure.instruments.scoring import round_half_up
from atlaschart.measure.provenance import Algorithm

CHANGE_ALGORITHM = Algorithm("instrument.change", "1")

Category = Literal["improved", "substantially-improved", "unchanged", "worse", "not-evaluable"]


@dataclass(frozen=True)
class Change:
    """The classified change. ``change`` is oriented (positive = improvement), in score units."""

    instrument: str
    version: str
    category: Category
    change: float | None
    change_percent: float | None
    baseline: Score
    followup: Score
    rule: ChangeRule
    reason: str | None
    algorithm: Algorithm = CHANGE_ALGORITHM

    def __post_init__(self) -> None:
        if (self.category == "not-evaluable") != (self.reason is not None):
            raise ValueError("a reason is given exactly when the change is not evaluable")

    def as_json(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "category": self.category,
            "change": plain_number(self.change),
            "change_percent": plain_number(self.change_percent),
            "baseline": self.baseline.as_json(),
            "followup": self.followup.as_json(),
            "thresholds": {
                "mcid_points": self.rule.mcid_points,
                "mdc_points": self.rule.mdc_points,
                "improved_percent": self.rule.improved_percent,
                "substantial_percent": self.rule.substantial_percent,
                "source": self.rule.source,
            },
            "reason": self.reason,
            "algorithm": self.algorithm.label,
        }


def _exact(value: float) -> Fraction:
    # Scores are 2-decimal numbers; go through their decimal text so 0.1 stays 1/10.
    return Fraction(Decimal(repr(value)))


def interpret_change(
    baseline: Score,
    followup: Score,
    rule: ChangeRule | None = None,
    *,
    baseline_language: str | None = None,
    followup_language: str | None = None,
) -> Change:
    """Classify the change from ``baseline`` to ``followup`` (see the module docstring).

    ``rule`` defaults to the instrument's published thresholds. Raises ``ValueError`` for an
    instrument with no change rule (GROC is itself a rating of change; STarT Back is a
    prognostic screen, not an outcome measure)."""
    instrument = get_instrument(baseline.instrument)
    chosen = rule if rule is not None else instrument.change_rule
    if chosen is None:
        raise ValueError(f"{instrument.id} is not an outcome measure; change is not defined for it")

    def not_evaluable(reason: str, change: Fraction | None = None) -> Change:
        return Change(
            instrument=instrument.id,
            version=baseline.version,
            category="not-evaluable",
            change=None if change is None else round_half_up(change),
            change_percent=None,
            baseline=baseline,
            followup=followup,
            rule=chosen,
            reason=reason,
        )

    if followup.instrument != baseline.instrument:
        return not_evaluable(
            f"different instruments: {baseline.instrument} and {followup.instrument}"
        )
    if followup.version != baseline.version:
        return not_evaluable(f"different versions: {baseline.version} and {followup.version}")
    if baseline_language and followup_language and baseline_language != followup_language:
        return not_evaluable(f"different languages: {baseline_language} and {followup_language}")
    if baseline.score is None:
        return not_evaluable(f"baseline not scorable: {baseline.reason}")
    if followup.score is None:
        return not_evaluable(f"follow-up not scorable: {followup.reason}")

    start, end = _exact(baseline.score), _exact(followup.score)
    best = _exact(instrument.best_score)
    higher_is_worse = instrument.direction == "higher-is-worse"
    change = start - end if higher_is_worse else end - start
    room = start - best if higher_is_worse else best - start
    absolute = max(_exact(chosen.mcid_points or 0.0), _exact(chosen.mdc_points or 0.0))
    # A large decline is reported even when the baseline leaves no room to improve: a patient
    # who goes from NPRS 1 to 8 got worse, whatever the eligibility rule says about improving.
    worse_limit = chosen.mdc_points if chosen.mdc_points is not None else chosen.mcid_points
    if worse_limit is not None and change < 0 and -change >= _exact(worse_limit):
        return Change(
            instrument=instrument.id,
            version=baseline.version,
            category="worse",
            change=round_half_up(change),
            change_percent=round_half_up(change / room * 100) if room > 0 else None,
            baseline=baseline,
            followup=followup,
            rule=chosen,
            reason=None,
        )
    if room <= 0:
        return not_evaluable("baseline is already at the best possible score", change)
    if room < absolute:
        return not_evaluable(
            f"baseline {baseline.score:g} leaves at most {float(room):g} points to improve, "
            f"less than the {float(absolute):g} needed",
            change,
        )
    percent = change / room * 100

    improved = (
        change > 0
        and change >= absolute
        and (chosen.improved_percent is None or percent >= _exact(chosen.improved_percent))
    )
    category: Category
    if improved:
        substantial = chosen.substantial_percent is not None and percent >= _exact(
            chosen.substantial_percent
        )
        category = "substantially-improved" if substantial else "improved"
    elif change < 0 and _is_worse(change, percent, chosen):
        category = "worse"
    else:
        category = "unchanged"
    return Change(
        instrument=instrument.id,
        version=baseline.version,
        category=category,
        change=round_half_up(change),
        change_percent=round_half_up(percent),
        baseline=baseline,
        followup=followup,
        rule=chosen,
        reason=None,
    )


def _is_worse(change: Fraction, percent: Fraction, rule: ChangeRule) -> bool:
    limit = rule.mdc_points if rule.mdc_points is not None else rule.mcid_points
    if limit is not None:
        return -change >= _exact(limit)
    assert rule.improved_percent is not None  # ChangeRule guarantees one criterion
    return -percent >= _exact(rule.improved_percent)
