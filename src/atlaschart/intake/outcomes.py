"""The chart's change summary: per questionnaire, the baseline score, the latest score, the change
with its unit and the core's interpretation of it (``measure.instruments.interpret_change``).

Built from one list of the patient's stored responses (one query, made by the caller), so the
chart's query count does not grow with the number of follow-ups.

* Baseline = the patient's first scorable response of that questionnaire; latest = the newest
  response. The stored columns are turned back into the core's :class:`Score`; nothing is
  re-scored except for the PSFS when the two forms rated different activities (then both are
  scored by the core over the activities rated both times, so the means compare like with like).
* The verdict is the core's category, worded so that nothing is called better unless the core
  says the change reaches ``max(MCID, MDC)``. Where no MDC is published (RMDQ, HIT-6,
  Bournemouth) a change past the MCID is reported as such, never as an improvement beyond
  measurement error (docs/conventions.md: a change is an improvement only past the MDC).
* PSFS activities are also compared one by one with the core and the published MDC90 for a
  single activity (3 points; Stratford et al. 1995, via secondary summaries [R]).
* GROC is the patient's own rating of change (no change rule in the core): shown as the anchor.
  STarT Back is a prognostic screen: its bands are shown, the change is not interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from atlaschart.intake.models import QuestionnaireResponse
from atlaschart.intake.names import instrument_name, threshold_sources
from atlaschart.intake.services import FOLLOWUP_INSTRUMENTS
from atlaschart.measure.instruments import (
    INSTRUMENTS,
    PSFS_SINGLE_ACTIVITY_RULE,
    Change,
    ChangeRule,
    Instrument,
    Score,
    interpret_change,
    score,
)
from atlaschart.measure.provenance import Algorithm


def _number(value: float | Decimal | None) -> str:
    """2-decimal text without trailing zeros (6, 4.4, 14.44)."""
    if value is None:
        return ""
    text = format(Decimal(str(value)).quantize(Decimal("0.01")), "f")
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _signed(value: Decimal) -> str:
    text = _number(value)
    return text if text.startswith("-") or text == "0" else "+" + text


def _difference(baseline: float | None, latest: float | None) -> Decimal | None:
    if baseline is None or latest is None:
        return None
    return Decimal(str(latest)) - Decimal(str(baseline))


def stored_score(response: QuestionnaireResponse) -> Score:
    """The core's value object from a stored response (the columns are the score's cache)."""
    algorithm_id, _sep, algorithm_version = response.algorithm.rpartition("@")
    return Score(
        instrument=response.instrument,
        version=response.version,
        scorable=response.scorable,
        score=response.score if response.scorable else None,
        percent=response.percent,
        band=response.band or None,
        answered=response.answered,
        reason=None if response.scorable else (response.reason or "not scorable"),
        algorithm=Algorithm(
            algorithm_id or f"instrument.{response.instrument}", algorithm_version or "?"
        ),
    )


# --- the core's reasons, in the user's language ------------------------------------------

_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^different versions: (?P<a>\S+) and (?P<b>\S+)$"),
        lambda m: _("the two forms are different versions (%(a)s and %(b)s)") % m.groupdict(),
    ),
    (
        re.compile(r"^different languages: (?P<a>\S+) and (?P<b>\S+)$"),
        lambda m: (
            _("the two forms were answered in different languages (%(a)s and %(b)s)")
            % m.groupdict()
        ),
    ),
    (
        re.compile(r"^baseline not scorable: (?P<why>.*)$"),
        lambda m: _("the baseline could not be scored (%(why)s)") % m.groupdict(),
    ),
    (
        re.compile(r"^follow-up not scorable: (?P<why>.*)$"),
        lambda m: _("the latest form could not be scored (%(why)s)") % m.groupdict(),
    ),
    (
        re.compile(r"^baseline is already at the best possible score$"),
        lambda m: _("the baseline is already the best possible score"),
    ),
    (
        re.compile(
            r"^baseline (?P<base>\S+) leaves at most (?P<room>\S+) points to improve, "
            r"less than the (?P<need>\S+) needed$"
        ),
        lambda m: (
            _(
                "the baseline %(base)s leaves at most %(room)s points to improve, less than "
                "the %(need)s points the threshold needs"
            )
            % m.groupdict()
        ),
    ),
]


def reason_text(reason: str) -> str:
    """A core reason in the user's language; an unknown shape is shown as the core wrote it."""
    for pattern, translate in _REASONS:
        match = pattern.search(reason)
        if match:
            return translate(match)
    return reason


# --- verdicts ------------------------------------------------------------------------------


def threshold_text(rule: ChangeRule) -> str:
    parts = []
    if rule.mcid_points is not None:
        parts.append(_("MCID %(n)s points") % {"n": _number(rule.mcid_points)})
    if rule.mdc_points is not None:
        parts.append(_("MDC %(n)s points") % {"n": _number(rule.mdc_points)})
    else:
        parts.append(_("no published MDC"))
    if rule.improved_percent is not None:
        parts.append(
            _("and at least %(n)s%% of the possible improvement")
            % {"n": _number(rule.improved_percent)}
        )
    if rule.substantial_percent is not None:
        parts.append(_("substantial: %(n)s%% or more") % {"n": _number(rule.substantial_percent)})
    return "; ".join(parts)


def verdict(change: Change) -> tuple[str, str]:
    """``(text, css class)`` for the core's category, naming what the change was measured
    against. "Better" only when the core says improved and an MDC exists."""
    rule = change.rule
    has_mdc = rule.mdc_points is not None
    has_mcid = rule.mcid_points is not None
    category = change.category
    if category in ("improved", "substantially-improved"):
        if not has_mdc:
            if has_mcid:
                text = _(
                    "Reaches the MCID, but no measurement error (MDC) is published for this "
                    "questionnaire, so it is not called an improvement"
                )
            else:
                text = _(
                    "Reaches the percentage threshold, but no measurement error (MDC) is "
                    "published for this questionnaire, so it is not called an improvement"
                )
            return text, "same"
        if has_mcid:
            text = _("Better: the change is at least the measurement error (MDC) and the MCID")
        else:
            text = _("Better: the change is at least the measurement error (MDC)")
        if category == "substantially-improved":
            text += " · " + _("substantial (%(n)s%% or more of the possible improvement)") % {
                "n": _number(rule.substantial_percent)
            }
        return text, "better"
    if category == "worse":
        if has_mdc:
            return _("Worse: the decline is at least the measurement error (MDC)"), "worse"
        if has_mcid:
            return _("Worse by at least the MCID (no published MDC)"), "worse"
        return _("Worse by at least the percentage threshold (no published MDC)"), "worse"
    if category == "unchanged":
        if has_mcid:
            return _("Within measurement error or below the MCID: no change is claimed"), "same"
        if has_mdc:
            return _("Within measurement error: no change is claimed"), "same"
        return _("Below the threshold: no change is claimed"), "same"
    return _("Not evaluable: %(why)s") % {"why": reason_text(change.reason or "")}, "na"


def _change_view(change: Change) -> dict[str, Any]:
    text, css = verdict(change)
    return {
        "category": change.category,
        "verdict": text,
        "css": css,
        # The share of the possible improvement, shown for a change in the better direction.
        "percent": _("%(n)s%% of the possible improvement") % {"n": _number(change.change_percent)}
        if change.change_percent is not None and change.change_percent > 0
        else "",
        "threshold": threshold_text(change.rule),
        "source": threshold_sources(change.instrument),
        "algorithm": change.algorithm.label,
    }


# --- PSFS ----------------------------------------------------------------------------------


def _psfs_ratings(answers: Any) -> dict[str, int]:
    activities = answers.get("activities", []) if isinstance(answers, dict) else []
    return {
        str(a["name"]): int(a["score"])
        for a in activities
        if isinstance(a, dict) and a.get("name") and isinstance(a.get("score"), int)
    }


def _psfs_score(instrument: Instrument, ratings: dict[str, int], names: Iterable[str]) -> Score:
    return score(instrument, {"activities": [{"name": n, "score": ratings[n]} for n in names]})


def _psfs_detail(
    instrument: Instrument, first: QuestionnaireResponse, last: QuestionnaireResponse
) -> tuple[Score, Score, list[dict[str, Any]], str]:
    """Baseline and latest PSFS scores over the activities rated both times, one row per
    baseline activity, and a note when the sets differed."""
    before, after = _psfs_ratings(first.answers), _psfs_ratings(last.answers)
    common = [name for name in before if name in after]
    note = ""
    if set(before) == set(after):
        baseline_score, latest_score = stored_score(first), stored_score(last)
    else:
        baseline_score = _psfs_score(instrument, before, common)
        latest_score = _psfs_score(instrument, after, common)
        note = _(
            "Compared over the %(n)s activities rated both times (the scores above are re-scored "
            "over those)."
        ) % {"n": len(common)}
    rows = []
    for name, rating in before.items():
        row: dict[str, Any] = {"name": name, "baseline": rating, "latest": after.get(name)}
        if name in after:
            row["diff"] = _signed(Decimal(after[name] - rating))
            row.update(
                _change_view(
                    interpret_change(
                        _psfs_score(instrument, before, [name]),
                        _psfs_score(instrument, after, [name]),
                        PSFS_SINGLE_ACTIVITY_RULE,
                    )
                )
            )
        rows.append(row)
    return baseline_score, latest_score, rows, note


# --- rows ----------------------------------------------------------------------------------


def _point(response: QuestionnaireResponse, value: Score | None = None) -> dict[str, Any]:
    scored = value if value is not None else stored_score(response)
    return {
        "score": _number(scored.score) if scored.scorable else "",
        "scorable": scored.scorable,
        "reason": scored.reason or "",
        "band": scored.band or "",
        "date": response.recorded_at,
        "language": response.language,
        "version": response.version,
    }


def _groc_row(instrument: Instrument, responses: list[QuestionnaireResponse]) -> dict[str, Any]:
    latest = responses[-1]
    lang = get_language() or "ko"
    lang = lang[:2] if lang[:2] in instrument.languages else instrument.languages[0]
    label = ""
    if latest.scorable and latest.score is not None:
        option = instrument.item("q1").option_for(int(latest.score))
        label = option.text.get(lang, "") if option else ""
    point = _point(latest)
    if latest.scorable and latest.score is not None:
        point["score"] = _signed(Decimal(str(latest.score)))  # -7..+7, the sign is the answer
    return {
        "id": instrument.id,
        "name": instrument_name(instrument.id),
        "kind": "anchor",
        "count": len(responses),
        "latest": point,
        "label": label,
        "recall": instrument.recall_period.get(lang, ""),
    }


def change_rows(responses: Iterable[QuestionnaireResponse]) -> list[dict[str, Any]]:
    """One row per questionnaire the patient answered, in the follow-up order (GROC last)."""
    by_instrument: dict[str, list[QuestionnaireResponse]] = {}
    for response in sorted(responses, key=lambda r: (r.recorded_at, r.pk or 0)):
        by_instrument.setdefault(response.instrument, []).append(response)
    order = [i for i in FOLLOWUP_INSTRUMENTS if i in by_instrument]
    order += sorted(i for i in by_instrument if i not in order)
    rows = []
    for instrument_id in order:
        instrument = INSTRUMENTS.get(instrument_id)
        if instrument is None:
            continue
        history = by_instrument[instrument_id]
        if instrument.id == "groc":
            rows.append(_groc_row(instrument, history))
            continue
        scorable = [r for r in history if r.scorable]
        first = scorable[0] if scorable else history[0]
        last = history[-1]
        low, high = instrument.score_range
        row: dict[str, Any] = {
            "id": instrument.id,
            "name": instrument_name(instrument.id),
            "kind": "change",
            "count": len(history),
            "scale": f"{_number(low)}–{_number(high)}",
            "better": _("lower is better")
            if instrument.direction == "higher-is-worse"
            else _("higher is better"),
            "baseline": _point(first),
            "latest": _point(last) if last is not first else None,
        }
        if last is first:
            rows.append(row)
            continue
        if instrument.change_rule is None:
            row["kind"] = "screen"
            rows.append(row)
            continue
        baseline_score, latest_score = stored_score(first), stored_score(last)
        if instrument.scoring_rule == "activity-mean":
            baseline_score, latest_score, activities, note = _psfs_detail(instrument, first, last)
            row.update(activities=activities, note=note)
            row["baseline"] = _point(first, baseline_score)
            row["latest"] = _point(last, latest_score)
        change = interpret_change(
            baseline_score,
            latest_score,
            baseline_language=first.language,
            followup_language=last.language,
        )
        diff = _difference(baseline_score.score, latest_score.score)
        row["diff"] = _signed(diff) if diff is not None else ""
        row.update(_change_view(change))
        rows.append(row)
    return rows
