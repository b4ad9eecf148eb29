"""Scoring: pure functions from raw answers to a :class:`Score`.

Answer values (the answer-file contract, docs/cli.md): an item's value is its score as
published (NDI/ODI 0-5, NPRS 0-10, RMDQ 0/1, Bournemouth 0-10, DHI 4/2/0, STarT Back items 1-8
0/1, GROC -7..+7), except items answered by response index (HIT-6, STarT Back item 9: 0 = first
printed option). ``None`` or an absent key = unanswered; ``"na"`` = not applicable. What
unanswered and not-applicable items do is the instrument's missing-item rule
(see ``model.MissingRule``).

Numbers: totals are exact; prorated and mean scores are computed with fractions and rounded
half-up to 2 decimals once, at the end. Bands are read from the rounded score, so the band always
agrees with the number shown.

Malformed answers (unknown item, value not among the item's options, wrong type) raise
:class:`AnswerError`; a well-formed but incomplete form returns a Score with ``scorable=False``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from atlaschart.measure.instruments.catalogue import get_instrument
from atlaschart.measure.instruments.free import PSFS_MAX_ACTIVITIES
from atlaschart.measure.instruments.model import Instrument, Score

NA: Literal["na"] = "na"
Answer = int | Literal["na"] | None


class AnswerError(ValueError):
    """The answers are malformed (not merely incomplete). The message names the item."""


def round_half_up(value: Fraction | int, places: int = 2) -> float:
    """Round like a person does on paper (2.345 -> 2.35), not banker's rounding."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _whole_number(value: object, where: str) -> int:
    # JSON true/false are ints to Python; an answer of ``true`` is a mistake, not a 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerError(f"{where}: expected a number, got {_describe(value)}")
    if isinstance(value, float) and not value.is_integer():
        raise AnswerError(f"{where}: expected a whole number, got {value}")
    return int(value)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {value!r}"
    return type(value).__name__


def parse_answers(instrument: Instrument, raw: object) -> dict[str, Answer]:
    """Validate raw answers (``{"q1": 3, "q2": null, "q3": "na"}``) against the instrument.

    Returns a dict with every item id present (absent ones as ``None``)."""
    if not isinstance(raw, Mapping):
        raise AnswerError(f"answers must be an object of item ids, got {_describe(raw)}")
    ids = [item.id for item in instrument.items]
    unknown = [key for key in raw if key not in ids]
    if unknown:
        raise AnswerError(
            f"unknown item {unknown[0]!r} for {instrument.id} (items are q1..q{len(ids)})"
        )
    parsed: dict[str, Answer] = {}
    for item in instrument.items:
        value = raw.get(item.id)
        if value is None:
            parsed[item.id] = None
        elif isinstance(value, str):
            if value.strip().lower() != NA:
                raise AnswerError(
                    f'{item.id}: expected a number, null or "na", got {_describe(value)}'
                )
            parsed[item.id] = NA
        else:
            number = _whole_number(value, item.id)
            if item.option_for(number) is None:
                accepted = item.accepted_values()
                kind = "response index" if item.answer_kind == "index" else "score"
                raise AnswerError(
                    f"{item.id}: {number} is not a valid {kind} for {instrument.id} "
                    f"(accepted: {', '.join(str(a) for a in accepted)})"
                )
            parsed[item.id] = number
    return parsed


def _points(instrument: Instrument, item_id: str, value: int) -> int:
    option = instrument.item(item_id).option_for(value)
    assert option is not None  # parse_answers checked it
    return option.score


def _not_scorable(instrument: Instrument, answered: int, reason: str) -> Score:
    return Score(
        instrument=instrument.id,
        version=instrument.version,
        scorable=False,
        score=None,
        percent=None,
        band=None,
        answered=answered,
        reason=reason,
        algorithm=instrument.algorithm,
    )


def _scored(
    instrument: Instrument,
    answered: int,
    score: float,
    *,
    percent: float | None = None,
    band: str | None = None,
    subscores: Mapping[str, float] | None = None,
) -> Score:
    return Score(
        instrument=instrument.id,
        version=instrument.version,
        scorable=True,
        score=score,
        percent=percent,
        band=band if band is not None else instrument.band_for(score),
        answered=answered,
        reason=None,
        algorithm=instrument.algorithm,
        subscores=dict(subscores or {}),
    )


def _missing_reason(instrument: Instrument, answers: Mapping[str, Answer]) -> str | None:
    unanswered = [k for k, v in answers.items() if v is None]
    not_applicable = [k for k, v in answers.items() if v == NA]
    parts = []
    if unanswered:
        parts.append(f"unanswered: {', '.join(unanswered)}")
    if not_applicable:
        parts.append(f"marked not applicable: {', '.join(not_applicable)}")
    if not parts:
        return None
    return f"{instrument.id} needs every item answered ({'; '.join(parts)})"


def score_items(instrument: Instrument, raw_answers: object) -> Score:
    """Score an item-based instrument (everything except PSFS) from its raw answers."""
    if instrument.scoring_rule == "activity-mean":
        raise AnswerError(f"{instrument.id} is scored from activities; use score_psfs")
    answers = parse_answers(instrument, raw_answers)
    numeric = {k: v for k, v in answers.items() if isinstance(v, int) and not isinstance(v, str)}
    answered = len(numeric)
    points = {k: _points(instrument, k, v) for k, v in numeric.items()}
    rule = instrument.scoring_rule

    if rule == "count":
        # RMDQ: unanswered and not-applicable statements count as "no" (published rule).
        return _scored(instrument, answered, float(sum(points.values())))

    if rule == "prorated-percent":
        if answered < instrument.min_answered:
            return _not_scorable(
                instrument,
                answered,
                f"only {answered} of {len(instrument.items)} items answered; "
                f"{instrument.id} needs at least {instrument.min_answered}",
            )
        max_points = max(o.score for o in instrument.items[0].options)
        fraction = Fraction(sum(points.values()), max_points * answered)
        percent = round_half_up(fraction * 100)
        score = round_half_up(fraction * int(instrument.score_range[1]))
        return _scored(instrument, answered, score, percent=percent)

    reason = _missing_reason(instrument, answers)
    if reason is not None:
        return _not_scorable(instrument, answered, reason)

    if rule == "single-item":
        return _scored(instrument, answered, float(points["q1"]))
    if rule == "sum":
        return _scored(instrument, answered, float(sum(points.values())))
    if rule == "start-back":
        total = sum(points.values())
        subscale = sum(points[f"q{n}"] for n in range(5, 10))
        if total <= 3:
            band = "low"
        elif subscale >= 4:
            band = "high"
        else:
            band = "medium"
        return _scored(
            instrument,
            answered,
            float(total),
            band=band,
            subscores={"psychosocial": float(subscale)},
        )
    raise AssertionError(f"unhandled scoring rule {rule}")  # pragma: no cover


def parse_activities(raw: object) -> list[tuple[str, int | None]]:
    """Validate PSFS answers ``{"activities": [{"name": "...", "score": 4}, ...]}``.

    Returns (name, rating or None) pairs. Ratings are 0 (unable) to 10 (as before the problem)."""
    if not isinstance(raw, Mapping):
        raise AnswerError(f"PSFS answers must be an object, got {_describe(raw)}")
    extra = [key for key in raw if key != "activities"]
    if extra:
        raise AnswerError(f'PSFS answers take only "activities", not {extra[0]!r}')
    activities = raw.get("activities")
    if not isinstance(activities, Sequence) or isinstance(activities, str):
        raise AnswerError('PSFS answers need "activities": a list of {"name", "score"}')
    if len(activities) > PSFS_MAX_ACTIVITIES:
        raise AnswerError(
            f"PSFS takes at most {PSFS_MAX_ACTIVITIES} activities, got {len(activities)}"
        )
    parsed: list[tuple[str, int | None]] = []
    for number, entry in enumerate(activities, start=1):
        where = f"activity {number}"
        if not isinstance(entry, Mapping):
            raise AnswerError(f"{where}: expected an object with name and score")
        unknown = [key for key in entry if key not in ("name", "score")]
        if unknown:
            raise AnswerError(f"{where}: unknown field {unknown[0]!r}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AnswerError(f"{where}: the activity needs a name")
        value = entry.get("score")
        if value is None:
            parsed.append((name.strip(), None))
            continue
        rating = _whole_number(value, where)
        if not 0 <= rating <= 10:
            raise AnswerError(f"{where}: score must be 0 to 10, got {rating}")
        parsed.append((name.strip(), rating))
    return parsed


def score_psfs(raw_answers: object) -> Score:
    """PSFS: mean of the rated activities (Stratford 1995), 0-10, higher = better.

    Activities listed without a rating are left out of the mean; with none rated there is no
    score."""
    instrument = get_instrument("psfs")
    activities = parse_activities(raw_answers)
    ratings = [rating for _, rating in activities if rating is not None]
    if not ratings:
        return _not_scorable(instrument, 0, "no activity has a rating")
    return _scored(instrument, len(ratings), round_half_up(Fraction(sum(ratings), len(ratings))))


def score(instrument: Instrument | str, raw_answers: object) -> Score:
    """Score any instrument. ``raw_answers`` is the value of ``"answers"`` in the answer file.

    Raises ``KeyError`` for an unknown instrument id and :class:`AnswerError` for malformed
    answers."""
    resolved = get_instrument(instrument) if isinstance(instrument, str) else instrument
    if resolved.scoring_rule == "activity-mean":
        return score_psfs(raw_answers)
    return score_items(resolved, raw_answers)
