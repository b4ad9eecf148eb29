"""Per-region change against each region's baseline (measure.instruments.regions).

Expected values are computed by hand from the rule: NPRS points, change = baseline - latest,
better when change >= max(MCID, MDC) = 2, worse when the rise is >= MDC = 2 (MCID 2 points:
Farrar et al. 2001, Pain; Ostelo et al. 2008, Spine; MDC about 2 points: Ostelo et al. 2008).
The neck's alternative MDC 4.0 / MCIC 1.5 is from Kovacs et al. 2008, BMC Musculoskelet Disord.
"""

from __future__ import annotations

import pytest

from atlaschart.measure.instruments import ChangeRule
from atlaschart.measure.instruments.regions import (
    REGION_CHANGE_RULE,
    RegionReading,
    compare_regions,
    readings_from_answers,
    region_change,
)


def r(intensity: int, *qualities: str) -> RegionReading:
    return RegionReading(intensity, frozenset(qualities))


# (baseline, latest, change_points, category): hand-computed with MCID 2, MDC 2.
TABLE = [
    (8, 3, 5, "better"),  # 8 - 3 = 5 >= 2
    (5, 3, 2, "better"),  # exactly the threshold counts
    (5, 4, 1, "unchanged"),  # 1 < 2: within measurement error
    (5, 5, 0, "unchanged"),
    (4, 5, -1, "unchanged"),  # a rise of 1 < MDC 2
    (4, 6, -2, "worse"),  # rise of 2 >= MDC 2
    (1, 0, 1, "little-room"),  # baseline 1 < 2: no decrease can pass the threshold
    (0, 0, 0, "little-room"),
    (1, 3, -2, "worse"),  # a rise is reported even from a low baseline
    (2, 0, 2, "better"),  # baseline 2 leaves exactly 2 points
    (10, 9, 1, "unchanged"),
]


@pytest.mark.parametrize(("baseline", "latest", "change", "category"), TABLE)
def test_region_change_table(baseline: int, latest: int, change: int, category: str) -> None:
    result = region_change("neck", r(baseline), r(latest))
    assert result.change_points == change
    assert result.category == category


def test_neck_rule_with_the_larger_mdc() -> None:
    # Kovacs 2008: MDC 4.0, MCIC 1.5 -> better needs >= 4.0; 8 -> 5 is 3 points: unchanged.
    neck = ChangeRule(1.5, 4.0, None, None, source="Kovacs 2008")
    assert region_change("neck", r(8), r(5), rule=neck).category == "unchanged"
    assert region_change("neck", r(8), r(4), rule=neck).category == "better"
    assert region_change("neck", r(5), r(8), rule=neck).category == "unchanged"  # rise 3 < 4
    assert region_change("neck", r(3), r(6), rule=neck).category == "little-room"  # 3 < 4
    assert region_change("neck", r(3), r(7), rule=neck).category == "worse"
    assert region_change("neck", r(3), r(1), rule=neck).category == "little-room"  # 3 < 4


def test_qualities_added_and_gone() -> None:
    result = region_change("neck", r(6, "aching", "burning"), r(3, "aching", "tingling"))
    assert result.qualities_added == {"tingling"}
    assert result.qualities_gone == {"burning"}


def test_demo_followups_story_summary() -> None:
    # The demo's "followups" story: intake, follow-up 1, follow-up 2 (clinics.demo_stories).
    intake = {
        "neck": r(8),
        "upper_back_left": r(6),
        "between_shoulder_blades_left": r(5),
        "low_back_right": r(4),
        "head_face": r(6),
    }
    first = {**intake, "neck": r(6), "head_face": r(4)}
    second = {
        "neck": r(3),  # 8 -> 3: +5 better
        "upper_back_left": r(5),  # 6 -> 5: +1 unchanged
        "between_shoulder_blades_left": r(2),  # 5 -> 2: +3 better
        "low_back_right": r(6),  # 4 -> 6: -2 worse
        "head_face": r(2),  # 6 -> 2: +4 better
    }
    summary = compare_regions([intake, first, second], local={"neck", "head_face"})
    assert summary.compared() == 5
    assert summary.of("better") == ("neck", "between_shoulder_blades_left", "head_face")
    assert summary.of("unchanged") == ("upper_back_left",)
    assert summary.of("worse") == ("low_back_right",)
    assert summary.of("better", local=True) == ("neck", "head_face")
    assert summary.of("better", local=False) == ("between_shoulder_blades_left",)
    assert summary.compared(local=False) == 3
    assert [c.change_points for c in summary.changes] == [5, 1, 3, -2, 4]
    assert all(c.baseline_index == 0 and c.latest_index == 2 for c in summary.changes)


def test_a_region_added_later_has_its_own_baseline() -> None:
    # Leg added at follow-up 1 (7), then 4 at follow-up 2: 7 - 4 = 3, better against ITS baseline.
    summary = compare_regions(
        [{"neck": r(5)}, {"neck": r(5), "leg_right": r(7)}, {"neck": r(5), "leg_right": r(4)}]
    )
    leg = summary.changes[1]
    assert (leg.region, leg.baseline_index, leg.change_points, leg.category) == (
        "leg_right",
        1,
        3,
        "better",
    )


def test_new_and_not_rated() -> None:
    summary = compare_regions([{"neck": r(5), "arm_left": r(3)}, {"neck": r(2), "leg_left": r(4)}])
    assert summary.of("better") == ("neck",)
    assert summary.of("not-rated") == ("arm_left",)  # left blank: never read as 0
    assert summary.of("new") == ("leg_left",)
    assert summary.compared() == 1


def test_no_assessments_and_one_assessment() -> None:
    assert compare_regions([]).changes == ()
    only = compare_regions([{"neck": r(5)}])
    assert only.of("new") == ("neck",) and only.compared() == 0


def test_readings_from_answers_leaves_out_what_is_not_a_reading() -> None:
    answers = {
        "pain_neck": "7",
        "quality_neck": ["aching"],
        "pain_arm_left": "",
        "pain_leg_left": "11",
        "pain_chest": "x",
        "quality_chest": ["burning"],
        "pain_moves": "yes",
        "pain_head_face": True,
    }
    keys = ["neck", "arm_left", "leg_left", "chest", "head_face", "abdomen"]
    assert readings_from_answers(answers, keys) == {"neck": r(7, "aching")}


@pytest.mark.parametrize("bad", [-1, 11, True])
def test_reading_refuses_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        RegionReading(bad)


def test_default_rule_is_the_nprs_points() -> None:
    assert (REGION_CHANGE_RULE.mcid_points, REGION_CHANGE_RULE.mdc_points) == (2, 2)
    assert "Farrar" in REGION_CHANGE_RULE.source and "Ostelo" in REGION_CHANGE_RULE.source
