"""Change classification (docs/instruments.md; Ostelo et al. 2008) with each instrument's default
thresholds. Expected categories are worked out by hand from the rule: change oriented so positive =
better; improved when change >= max(MCID, MDC) and change% >= the percent criterion;
substantially improved when also change% >= 50; worse when the decline >= MDC (else MCID, else
the percent criterion); not evaluable when the baseline leaves less room than max(MCID, MDC)."""

from __future__ import annotations

import dataclasses

import pytest

from atlaschart.measure.instruments import Score, get_instrument, interpret_change


def _score(instrument_id: str, value: float | None, version: str | None = None) -> Score:
    instrument = get_instrument(instrument_id)
    return Score(
        instrument=instrument.id,
        version=version or instrument.version,
        scorable=value is not None,
        score=value,
        percent=None,
        band=None,
        answered=1,
        reason=None if value is not None else "unanswered",
        algorithm=instrument.algorithm,
    )


@pytest.mark.parametrize(
    ("instrument", "baseline", "followup", "category", "change", "percent"),
    [
        # NPRS: MCID 2, MDC 2, 30%, 50% (Ostelo 2008; IMMPACT)
        pytest.param("nprs", 8, 3, "substantially-improved", 5, 62.5, id="nprs-8to3-62.5pct"),
        pytest.param("nprs", 6, 4, "improved", 2, 33.33, id="nprs-6to4-2pts-33pct"),
        pytest.param("nprs", 8, 6, "unchanged", 2, 25, id="nprs-8to6-25pct-below-30"),
        pytest.param("nprs", 5, 4, "unchanged", 1, 20, id="nprs-5to4-below-mcid"),
        pytest.param("nprs", 4, 6, "worse", -2, -50, id="nprs-4to6-decline-mdc"),
        pytest.param("nprs", 1, 8, "worse", -7, -700, id="nprs-1to8-worse-despite-low-baseline"),
        pytest.param("nprs", 1, 0, "not-evaluable", None, None, id="nprs-baseline1-room-lt-2"),
        pytest.param("nprs", 0, 0, "not-evaluable", None, None, id="nprs-baseline0"),
        # NDI /50: MCID 5 (Vernon), MDC90 4.7 (Stratford) -> needs 5; no percent criterion
        pytest.param("ndi", 20, 14, "improved", 6, 30, id="ndi-20to14"),
        pytest.param("ndi", 20, 8, "substantially-improved", 12, 60, id="ndi-20to8-60pct"),
        pytest.param("ndi", 20, 16, "unchanged", 4, 20, id="ndi-20to16-below-5"),
        pytest.param("ndi", 10, 15, "worse", -5, -50, id="ndi-10to15-decline-ge-4.7"),
        pytest.param("ndi", 10, 14.5, "unchanged", -4.5, -45, id="ndi-10to14.5-decline-lt-4.7"),
        pytest.param("ndi", 4, 0, "not-evaluable", None, None, id="ndi-baseline4-room-lt-5"),
        # ODI: 10 points and 30% (Ostelo 2008)
        pytest.param("odi", 40, 28, "improved", 12, 30, id="odi-40to28"),
        pytest.param("odi", 40, 31, "unchanged", 9, 22.5, id="odi-40to31-below-10"),
        pytest.param("odi", 40, 18, "substantially-improved", 22, 55, id="odi-40to18"),
        pytest.param("odi", 9, 0, "not-evaluable", None, None, id="odi-baseline9-lt-10"),
        # RMDQ: 5 points and 30%; no MDC so worse uses the MCID
        pytest.param("rmdq", 12, 7, "improved", 5, 41.67, id="rmdq-12to7"),
        pytest.param("rmdq", 12, 17, "worse", -5, -41.67, id="rmdq-12to17-decline-mcid"),
        # PSFS (higher is better, best 10): MCID 2, MDC 2; percent of the room to 10
        pytest.param("psfs", 3, 6, "improved", 3, 42.86, id="psfs-3to6-3of7"),
        pytest.param("psfs", 3, 8, "substantially-improved", 5, 71.43, id="psfs-3to8-5of7"),
        pytest.param("psfs", 5, 3, "worse", -2, -40, id="psfs-5to3"),
        pytest.param("psfs", 9, 10, "not-evaluable", None, None, id="psfs-baseline9-room1"),
        # HIT-6 (best 36): MCID 6; percent of the room to 36
        pytest.param("hit-6", 66, 58, "improved", 8, 26.67, id="hit6-66to58-8of30"),
        pytest.param("hit-6", 60, 42, "substantially-improved", 18, 75, id="hit6-60to42"),
        pytest.param("hit-6", 50, 56, "worse", -6, -42.86, id="hit6-50to56-decline-mcid"),
        pytest.param("hit-6", 40, 38, "not-evaluable", None, None, id="hit6-40-room4-lt-6"),
        # Bournemouth neck: 34% only (Hurst & Bolton 2004)
        pytest.param("bournemouth-neck", 40, 26, "improved", 14, 35, id="bqneck-35pct"),
        pytest.param("bournemouth-neck", 40, 27, "unchanged", 13, 32.5, id="bqneck-32.5pct"),
        pytest.param("bournemouth-neck", 40, 54, "worse", -14, -35, id="bqneck-decline-35pct"),
        # Bournemouth back: 18 points and 47% (Newell & Bolton 2010; Hurst & Bolton 2004)
        pytest.param("bournemouth-back", 40, 21, "improved", 19, 47.5, id="bqback-19pts-47.5pct"),
        pytest.param("bournemouth-back", 30, 12, "substantially-improved", 18, 60, id="bqback-60"),
        # DHI: 18 points
        pytest.param("dhi", 50, 32, "improved", 18, 36, id="dhi-50to32"),
        pytest.param("dhi", 50, 34, "unchanged", 16, 32, id="dhi-50to34"),
    ],
)
def test_default_thresholds(instrument, baseline, followup, category, change, percent):
    result = interpret_change(_score(instrument, baseline), _score(instrument, followup))
    assert result.category == category
    if change is not None and category != "not-evaluable":
        assert result.change == pytest.approx(change)
        assert result.change_percent == pytest.approx(percent, abs=0.005)
    assert (result.reason is None) == (category != "not-evaluable")


def test_thresholds_are_configurable():
    # NPRS 8 -> 6: 2 points but 25%; with the percentage switched off it is improved.
    rule = dataclasses.replace(get_instrument("nprs").change_rule, improved_percent=None)
    result = interpret_change(_score("nprs", 8), _score("nprs", 6), rule)
    assert result.category == "improved"


@pytest.mark.parametrize(
    ("baseline", "followup", "kwargs", "reason"),
    [
        pytest.param(
            _score("nprs", 8), _score("nprs", 3, "other-1"), {}, "different versions", id="version"
        ),
        pytest.param(_score("nprs", 8), _score("ndi", 3), {}, "different instruments", id="instr"),
        pytest.param(_score("nprs", None), _score("nprs", 3), {}, "baseline not scorable", id="bl"),
        pytest.param(_score("nprs", 8), _score("nprs", None), {}, "follow-up not", id="fu"),
        pytest.param(
            _score("nprs", 8),
            _score("nprs", 3),
            {"baseline_language": "en", "followup_language": "ko"},
            "different languages",
            id="language",
        ),
    ],
)
def test_never_compare_across_versions_or_languages(baseline, followup, kwargs, reason):
    # Version and language must match between timepoints.
    result = interpret_change(baseline, followup, **kwargs)
    assert result.category == "not-evaluable"
    assert reason in (result.reason or "")


@pytest.mark.parametrize("instrument", ["groc", "start-back"])
def test_no_change_rule_for_anchor_and_screening_tool(instrument):
    with pytest.raises(ValueError, match="not an outcome measure"):
        interpret_change(_score(instrument, 1), _score(instrument, 2))


@pytest.mark.parametrize(
    ("baseline", "followup", "category"),
    [
        # One PSFS activity on its own: MDC90 3 points, no MCID, no percentage criterion (Stratford
        # et al. 1995, [stratford-1995-psfs]). Improved when the gain >= 3; worse when the loss >=
        # 3.
        pytest.param(2, 5, "improved", id="gain-3-reaches-mdc"),
        pytest.param(2, 4, "unchanged", id="gain-2-below-mdc"),
        pytest.param(6, 3, "worse", id="loss-3"),
        pytest.param(8, 10, "not-evaluable", id="room-2-lt-mdc"),
    ],
)
def test_psfs_single_activity_rule(baseline: float, followup: float, category: str) -> None:
    from atlaschart.measure.instruments import PSFS_SINGLE_ACTIVITY_RULE

    assert PSFS_SINGLE_ACTIVITY_RULE.mdc_points == 3
    assert PSFS_SINGLE_ACTIVITY_RULE.mcid_points is None
    change = interpret_change(
        _score("psfs", baseline), _score("psfs", followup), PSFS_SINGLE_ACTIVITY_RULE
    )
    assert change.category == category
