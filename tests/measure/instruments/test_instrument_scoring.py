"""Hand-computed scores per instrument. Every expected value is worked out by hand from the
published rule named in the param id / comment (publications in docs/sources.md, Questionnaires)."""

from __future__ import annotations

import pytest

from atlaschart.measure.instruments import AnswerError, score


def _items(values: list[object]) -> dict[str, object]:
    """q1..qN from a list; None entries are left out (unanswered = absent key)."""
    return {f"q{n}": v for n, v in enumerate(values, start=1) if v is not None}


# --- NDI: percent = sum / (5 x answered) x 100, score = percent / 2, >= 8 of 10 answered ------


@pytest.mark.parametrize(
    ("values", "score_50", "percent", "band", "answered"),
    [
        # 3+2+1+0+4+2+1+3+3+2 = 21; 21/50 = 42% ; /50 = 21 -> 15-24 moderate (Vernon bands)
        pytest.param([3, 2, 1, 0, 4, 2, 1, 3, 3, 2], 21, 42, "moderate", 10, id="all-answered"),
        # driving unanswered: 18/(5x9) = 40% -> 20/50 (Vernon: mean of others stands in)
        pytest.param([3, 2, 1, 0, 4, 2, 1, None, 3, 2], 20, 40, "moderate", 9, id="q8-missing"),
        pytest.param([3, 2, 1, 0, 4, 2, 1, "na", 3, 2], 20, 40, "moderate", 9, id="q8-na"),
        # two unanswered, 8 x 5 = 40/40 = 100% -> 50 -> >34 complete
        pytest.param([5] * 8 + [None, None], 50, 100, "complete", 8, id="two-missing"),
        pytest.param([0] * 10, 0, 0, "none", 10, id="all-zero"),
        pytest.param([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 4, 8, "none", 10, id="edge-4-none"),
        pytest.param([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], 5, 10, "mild", 10, id="edge-5-mild"),
        pytest.param([2] * 7 + [0] * 3, 14, 28, "mild", 10, id="edge-14-mild"),
        pytest.param([2] * 7 + [1, 0, 0], 15, 30, "moderate", 10, id="edge-15-moderate"),
        pytest.param([4] * 8 + [2, 0], 34, 68, "severe", 10, id="edge-34-severe"),
        pytest.param([4] * 8 + [3, 0], 35, 70, "complete", 10, id="edge-35-complete"),
        # 13/(5x9) = 28.888..% -> 28.89; 13 x 10 / 9 = 14.444 -> 14.44, above 14 -> moderate
        pytest.param(
            [2, 2, 2, 2, 2, 1, 1, 1, 0, None], 14.44, 28.89, "moderate", 9, id="prorated-rounding"
        ),
    ],
)
def test_ndi(values, score_50, percent, band, answered):
    result = score("ndi", _items(values))
    assert result.scorable
    assert result.score == pytest.approx(score_50)
    assert result.percent == pytest.approx(percent)
    assert result.band == band
    assert result.answered == answered
    assert result.reason is None


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([1] * 7 + [None] * 3, id="three-missing"),
        pytest.param([1] * 7 + ["na", None, None], id="two-missing-one-na"),
        pytest.param([], id="empty"),
    ],
)
def test_ndi_needs_eight_of_ten(values):
    # AtlasChart's floor (docs/instruments.md): not scorable when fewer than 8 of 10 are answered.
    result = score("ndi", _items(values))
    assert not result.scorable
    assert result.score is None and result.percent is None and result.band is None
    assert "needs at least 8" in (result.reason or "")


# --- ODI 2.1a: percent = sum / (5 x answered) x 100 (Fairbank & Pynsent 2000) ----------------


@pytest.mark.parametrize(
    ("values", "percent", "band"),
    [
        pytest.param([2, 3, 1, 2, 2, 1, 2, 0, 1, 2], 32, "moderate", id="16of50-32pct"),
        # sex life not applicable: 16/45 = 35.555..% -> 35.56
        pytest.param([2, 3, 1, 2, 2, 1, 2, "na", 1, 2], 35.56, "moderate", id="q8-na"),
        pytest.param([1] * 5 + [0] * 5, 10, "minimal", id="5of50-10pct"),
        pytest.param([2] * 5 + [0] * 5, 20, "minimal", id="edge-20-minimal"),
        pytest.param([2] * 5 + [1] + [0] * 4, 22, "moderate", id="edge-22-moderate"),
        # answered 8, sum 17: 17/40 = 42.5% -> 41-60 severe
        pytest.param([3, 3, 3, 2, 2, 2, 1, 1, None, None], 42.5, "severe", id="8-answered"),
        pytest.param([4] * 10, 80, "crippled", id="edge-80-crippled"),
        pytest.param([4] * 9 + [5], 82, "bed-bound", id="82-bed-bound"),
    ],
)
def test_odi(values, percent, band):
    result = score("odi", _items(values))
    assert result.scorable
    assert result.percent == pytest.approx(percent)
    assert result.score == pytest.approx(percent)  # ODI score is the percentage
    assert result.band == band


def test_odi_three_missing_is_not_scorable():
    # Same 8-of-10 floor as NDI (our choice for NDI/ODI; no published ODI cap).
    result = score("odi", _items([2] * 7))
    assert not result.scorable and result.answered == 7


# --- RMDQ: count of 1s; unanswered and "na" = 0 (Roland & Morris) ---------------------------


@pytest.mark.parametrize(
    ("answers", "total", "answered"),
    [
        pytest.param(
            {f"q{n}": (1 if n in (1, 5, 9) else 0) for n in range(1, 25)}, 3, 24, id="three-ticks"
        ),
        pytest.param({"q2": 1, "q3": 1}, 2, 2, id="unanswered-count-zero"),
        pytest.param({**{f"q{n}": 1 for n in range(1, 25)}, "q4": "na"}, 23, 23, id="na-scores-no"),
        pytest.param({f"q{n}": 1 for n in range(1, 25)}, 24, 24, id="all-24"),
        pytest.param({}, 0, 0, id="empty-is-zero"),
    ],
)
def test_rmdq(answers, total, answered):
    result = score("rmdq", answers)
    assert result.scorable
    assert result.score == total
    assert result.answered == answered
    assert result.percent is None and result.band is None


# --- HIT-6: response index -> 6/8/10/11/13, bands <=49, 50-55, 56-59, >=60 ------------------


@pytest.mark.parametrize(
    ("indexes", "total", "band"),
    [
        pytest.param([0] * 6, 36, "little-or-none", id="all-never-36"),
        pytest.param([4, 1, 1, 1, 0, 0], 49, "little-or-none", id="13+8+8+8+6+6=49"),
        pytest.param([2, 1, 1, 1, 1, 1], 50, "some", id="10+8x5=50"),
        pytest.param([1, 2, 2, 3, 1, 0], 53, "some", id="8+10+10+11+8+6=53"),
        pytest.param([3, 3, 3, 1, 1, 0], 55, "some", id="11x3+8+8+6=55"),
        pytest.param([4, 3, 1, 1, 1, 1], 56, "substantial", id="13+11+8x4=56"),
        pytest.param([4, 4, 3, 1, 1, 0], 59, "substantial", id="13+13+11+8+8+6=59"),
        pytest.param([2] * 6, 60, "severe", id="10x6=60"),
        pytest.param([4] * 6, 78, "severe", id="all-always-78"),
    ],
)
def test_hit6(indexes, total, band):
    result = score("hit-6", _items(indexes))
    assert (result.scorable, result.score, result.band) == (True, total, band)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([0, 0, 0, 0, 0, None], id="one-missing"),
        pytest.param([0] * 5 + ["na"], id="na"),
    ],
)
def test_hit6_any_missing_is_not_scorable(values):
    result = score("hit-6", _items(values))
    assert not result.scorable
    assert result.answered == 5
    assert "q6" in (result.reason or "")


# --- Keele STarT Back: total 1-9, subscale 5-9, q9 "very much"/"extremely" = 1 ---------------


@pytest.mark.parametrize(
    ("values", "total", "subscale", "band"),
    [
        pytest.param([0] * 8 + [0], 0, 0, "low", id="all-disagree"),
        # q9 "moderately" (index 2) scores 0: total 3 -> low
        pytest.param([1, 1, 1, 0, 0, 0, 0, 0, 2], 3, 0, "low", id="total3-low"),
        # subscale 3 but total 3: total <= 3 is low whatever the subscale
        pytest.param([0, 0, 0, 0, 1, 1, 1, 0, 0], 3, 3, "low", id="total3-sub3-low"),
        pytest.param([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 0, "medium", id="total4-medium"),
        # q9 "slightly" (index 1) scores 0: total 6, subscale 3 -> medium
        pytest.param([1, 1, 1, 0, 1, 1, 1, 0, 1], 6, 3, "medium", id="total6-sub3-medium"),
        # q9 "very much" (index 3) scores 1: total 5, subscale 4 -> high
        pytest.param([1, 0, 0, 0, 1, 1, 1, 0, 3], 5, 4, "high", id="very-much-counts"),
        pytest.param([0, 0, 0, 0, 1, 1, 1, 1, 2], 4, 4, "high", id="total4-sub4-high"),
        pytest.param([1] * 8 + [4], 9, 5, "high", id="all-extremely"),
    ],
)
def test_start_back(values, total, subscale, band):
    result = score("start-back", _items(values))
    assert result.scorable
    assert (result.score, result.band) == (total, band)
    assert result.subscores == {"psychosocial": subscale}


def test_start_back_needs_all_nine():
    # No published missing-item rule: require all 9 (Hill et al. 2008 gives none).
    result = score("start-back", _items([1] * 8))
    assert not result.scorable and "q9" in (result.reason or "")


# --- Bournemouth neck/back: 7 items 0-10, total 0-70, any missing = not scorable -------------


@pytest.mark.parametrize("instrument", ["bournemouth-neck", "bournemouth-back"])
@pytest.mark.parametrize(
    ("values", "total"),
    [
        pytest.param([5, 6, 4, 3, 2, 7, 5], 32, id="5+6+4+3+2+7+5=32"),
        pytest.param([10] * 7, 70, id="max-70"),
        pytest.param([0] * 7, 0, id="min-0"),
    ],
)
def test_bournemouth(instrument, values, total):
    result = score(instrument, _items(values))
    assert (result.scorable, result.score, result.band, result.percent) == (True, total, None, None)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([5, 6, 4, 3, 2, 7, None], id="missing"),
        pytest.param([5, 6, "na", 3, 2, 7, 5], id="na"),
    ],
)
def test_bournemouth_incomplete(values):
    result = score("bournemouth-back", _items(values))
    assert not result.scorable and result.score is None


# --- NPRS, GROC: single item ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "value", "expected"),
    [
        pytest.param("nprs", 7, 7, id="nprs-7"),
        pytest.param("nprs", 0, 0, id="nprs-0"),
        pytest.param("groc", -3, -3, id="groc-minus3"),
        pytest.param("groc", 7, 7, id="groc-plus7"),
    ],
)
def test_single_item(instrument, value, expected):
    result = score(instrument, {"q1": value})
    assert (result.scorable, result.score, result.answered) == (True, expected, 1)


@pytest.mark.parametrize("answers", [{}, {"q1": None}, {"q1": "na"}])
def test_nprs_missing_is_not_scorable(answers):
    result = score("nprs", answers)
    assert not result.scorable and result.answered == 0


# --- DHI: Yes 4 / Sometimes 2 / No 0, total 0-100 -------------------------------------------


def test_dhi_sum():
    # q1-q10 yes (10 x 4 = 40), q11-q20 sometimes (10 x 2 = 20), q21-q25 no: 60
    answers = {f"q{n}": 4 if n <= 10 else 2 if n <= 20 else 0 for n in range(1, 26)}
    result = score("dhi", answers)
    assert (result.scorable, result.score) == (True, 60)


def test_dhi_missing_is_not_scorable():
    answers = {f"q{n}": 4 for n in range(1, 25)}
    result = score("dhi", answers)
    assert not result.scorable and result.answered == 24


# --- PSFS: mean of rated activities (Stratford 1995) ----------------------------------------


def _activities(*scores: object) -> dict[str, object]:
    return {"activities": [{"name": f"activity {n}", "score": s} for n, s in enumerate(scores)]}


@pytest.mark.parametrize(
    ("scores", "mean", "answered"),
    [
        pytest.param((3, 4, 5), 4, 3, id="(3+4+5)/3=4"),
        pytest.param((2, 3), 2.5, 2, id="(2+3)/2=2.5"),
        pytest.param((1, 2, 2), 1.67, 3, id="5/3=1.67"),
        pytest.param((3, None, 4), 3.5, 2, id="unrated-left-out"),
        pytest.param((10, 10, 10, 10, 9), 9.8, 5, id="five-activities"),
    ],
)
def test_psfs(scores, mean, answered):
    result = score("psfs", _activities(*scores))
    assert result.scorable
    assert result.score == pytest.approx(mean)
    assert result.answered == answered


@pytest.mark.parametrize("scores", [(), (None, None)])
def test_psfs_nothing_rated(scores):
    result = score("psfs", _activities(*scores))
    assert not result.scorable and result.reason == "no activity has a rating"


# --- Malformed answers raise AnswerError (the CLI turns it into exit 2) ----------------------


@pytest.mark.parametrize(
    ("instrument", "answers", "message"),
    [
        pytest.param("ndi", {"q11": 1}, "unknown item 'q11'", id="unknown-item"),
        pytest.param("ndi", {"q1": 6}, "6 is not a valid score", id="out-of-range"),
        pytest.param("ndi", {"q1": True}, "expected a number, got true", id="bool"),
        pytest.param("ndi", {"q1": 2.5}, "whole number", id="fraction"),
        pytest.param("ndi", {"q1": "three"}, "expected a number, null or", id="text"),
        pytest.param("ndi", [1, 2, 3], "answers must be an object", id="list"),
        pytest.param("hit-6", {"q1": 6}, "not a valid response index", id="hit6-points"),
        pytest.param("dhi", {"q1": 3}, "accepted: 4, 2, 0", id="dhi-3"),
        pytest.param("rmdq", {"q1": 2}, "not a valid score", id="rmdq-2"),
        pytest.param("nprs", {"q1": 11}, "not a valid score", id="nprs-11"),
        pytest.param("groc", {"q1": 8}, "not a valid score", id="groc-8"),
        pytest.param("start-back", {"q9": 5}, "response index", id="sbst-q9-5"),
        pytest.param("psfs", {"activities": "walking"}, "a list of", id="psfs-not-list"),
        pytest.param("psfs", _activities(1, 2, 3, 4, 5, 6), "at most 5", id="psfs-six"),
        pytest.param("psfs", _activities(11), "0 to 10", id="psfs-11"),
        pytest.param("psfs", {"activities": [{"score": 3}]}, "needs a name", id="psfs-no-name"),
        pytest.param("psfs", {"q1": 3}, 'only "activities"', id="psfs-items"),
    ],
)
def test_malformed_answers(instrument, answers, message):
    with pytest.raises(AnswerError, match=message.replace("(", r"\(")):
        score(instrument, answers)


def test_unknown_instrument():
    with pytest.raises(KeyError, match="unknown instrument"):
        score("sf-36", {})


def test_score_carries_provenance():
    result = score("odi", _items([1] * 10))
    assert result.algorithm.label == "instrument.odi@2.1a"
    assert set(result.as_json()) == {
        "instrument",
        "version",
        "scorable",
        "score",
        "percent",
        "band",
        "answered",
        "reason",
    }
