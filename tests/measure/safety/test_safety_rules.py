"""Screening vignettes: one or more per rule of the screen, plus incomplete answers.

Expected levels come from the rule table of docs/safety.md (the rule id names the row;
[atlaschart-action-levels]) and its fail-closed rule (unanswered -> incomplete:<item> at B-routine;
overall = most severe, E > B-urgent > B-routine > H > W > none-found)."""

from __future__ import annotations

import pytest

from atlaschart.measure.safety import (
    SCREENING_ITEMS,
    Finding,
    ScreenConfig,
    ScreenInputError,
    overall_level,
    screen,
)

TABLE_ITEMS = (
    *("V1", "V2", "V3", "V4", "V5", "V6", "V7"),
    *("U1", "U2", "U3", "N1", "N2", "N3", "T1", "T2"),
    *("S1", "S2", "S3", "S4", "S5", "X1", "X2", "X3", "X4", "X5", "X6", "G1", "G2"),
)


def _negative() -> dict[str, object]:
    """Every screen item answered with no red flag (T1/T2 not applicable, no risk factors)."""
    answers: dict[str, object] = {item: False for item in TABLE_ITEMS}
    answers.update({"V6": [], "T1": "na", "T2": "na"})
    return answers


def _run(**changes: object) -> tuple[str, set[tuple[str, str]]]:
    answers = _negative()
    for key, value in changes.items():
        if value is ...:
            answers.pop(key, None)
        else:
            answers[key] = value
    result = screen(answers)
    return result.level, {(f.rule, f.level) for f in result.findings}


def test_items_are_the_table():
    assert tuple(TABLE_ITEMS) == SCREENING_ITEMS


def test_all_negative_is_none_found_never_cleared():
    result = screen(_negative())
    assert result.level == "none-found"
    assert result.findings == ()
    assert result.as_json() == {"rules_version": "1", "level": "none-found", "findings": []}


@pytest.mark.parametrize(
    ("changes", "level", "findings"),
    [
        # Vascular
        pytest.param({"V1": "current"}, "E", {("V1", "E")}, id="V1-current-E"),
        pytest.param({"V1": True}, "E", {("V1", "E")}, id="V1-true-no-timing-read-as-current"),
        pytest.param({"V1": "recent"}, "B-urgent", {("V1", "B-urgent")}, id="V1-recent-Burgent"),
        pytest.param({"V2": True}, "E", {("V2", "E")}, id="V2-thunderclap-E"),
        pytest.param({"V3": "current"}, "E", {("V3", "E")}, id="V3-current-E"),
        pytest.param({"V3": "recent"}, "B-urgent", {("V3", "B-urgent")}, id="V3-recent-Burgent"),
        pytest.param({"V4": True}, "B-urgent", {("V4", "B-urgent")}, id="V4-gait-Burgent"),
        pytest.param(
            {"V4": False, "sign_gait_abnormal": True},
            "B-urgent",
            {("V4", "B-urgent")},
            id="V4-false-but-gait-sign-escalates",
        ),
        pytest.param({"V5": True}, "H", {("V5", "H")}, id="V5-alone-H"),
        pytest.param(
            {"V5": True, "V2": True}, "E", {("V5", "B-urgent"), ("V2", "E")}, id="V5-with-V2-B"
        ),
        pytest.param(
            {"V5": True, "V4": True},
            "B-urgent",
            {("V5", "B-urgent"), ("V4", "B-urgent")},
            id="V5-with-V4-B",
        ),
        pytest.param({"V6": ["smoking"]}, "W", {("V6:smoking", "W")}, id="V6-one-factor-W"),
        pytest.param(
            {"V6": ["smoking", "diabetes"], "V6_acute_onset": True},
            "H",
            {("V6:smoking", "W"), ("V6:diabetes", "W"), ("V6", "H")},
            id="V6-two-factors-acute-H",
        ),
        pytest.param(
            {"V6": ["smoking", "diabetes"], "V6_acute_onset": False},
            "W",
            {("V6:smoking", "W"), ("V6:diabetes", "W")},
            id="V6-two-factors-not-acute-W",
        ),
        pytest.param(
            {"V6": ["smoking", "diabetes"]},
            "B-routine",
            {("V6:smoking", "W"), ("V6:diabetes", "W"), ("incomplete:V6_acute_onset", "B-routine")},
            id="V6-two-factors-onset-unanswered",
        ),
        pytest.param({"V6": False}, "none-found", set(), id="V6-false-means-none"),
        pytest.param({"V7": True}, "H", {("V7", "H")}, id="V7-H"),
        pytest.param(
            {"V7": ..., "bp_systolic_mmhg": 180, "bp_diastolic_mmhg": 90},
            "H",
            {("V7", "H")},
            id="V7-bp-180-systolic",
        ),
        pytest.param(
            {"V7": False, "bp_systolic_mmhg": 150, "bp_diastolic_mmhg": 110},
            "H",
            {("V7", "H")},
            id="V7-bp-110-diastolic-overrides-false",
        ),
        pytest.param(
            {"V7": ..., "bp_systolic_mmhg": 179, "bp_diastolic_mmhg": 109},
            "none-found",
            set(),
            id="V7-bp-179-109-below",
        ),
        pytest.param(
            {"V7": ..., "bp_systolic_mmhg": 120},
            "B-routine",
            {("incomplete:V7", "B-routine")},
            id="V7-only-systolic-incomplete",
        ),
        # Upper cervical instability
        pytest.param({"U1": True}, "H", {("U1", "H")}, id="U1-H"),
        pytest.param(
            {"U1": True, "U2": True},
            "B-urgent",
            {("U1", "B-urgent"), ("U2", "B-urgent")},
            id="U1-with-U2-B",
        ),
        pytest.param(
            {"U1": True, "U3": ..., "sign_sharp_purser": True},
            "B-urgent",
            {("U1", "B-urgent"), ("U3", "B-urgent")},
            id="U1-with-sharp-purser-B",
        ),
        pytest.param({"U2": True}, "B-urgent", {("U2", "B-urgent")}, id="U2-Burgent"),
        pytest.param({"U3": True}, "B-urgent", {("U3", "B-urgent")}, id="U3-Burgent"),
        pytest.param(
            {"U3": ..., "sign_sharp_purser": False}, "none-found", set(), id="U3-from-sign-neg"
        ),
        # Myelopathy / neurology
        pytest.param({"N1": True}, "B-urgent", {("N1", "B-urgent")}, id="N1-Burgent"),
        pytest.param({"N2": True}, "B-urgent", {("N2", "B-urgent")}, id="N2-Burgent"),
        pytest.param(
            {"N2": ..., "sign_hoffmann": True},
            "B-urgent",
            {("N2", "B-urgent")},
            id="N2-from-Hoffmann-UMN-sign",
        ),
        pytest.param(
            {"N2": False, "sign_inverted_supinator": True, "V4": True, "age_years": 50},
            "B-urgent",
            {("N2", "B-urgent"), ("V4", "B-urgent")},
            id="N2-Cook-3of5-gait-supinator-age",
        ),
        pytest.param(
            {"N2": False, "sign_inverted_supinator": True, "age_years": 50},
            "none-found",
            set(),
            id="N2-Cook-2of5-negative",
        ),
        pytest.param(
            {
                "N2": ...,
                "sign_gait_abnormal": False,
                "sign_hoffmann": False,
                "sign_babinski": False,
                "sign_inverted_supinator": False,
                "sign_clonus": False,
                "sign_hyperreflexia": False,
                "age_years": 30,
            },
            "none-found",
            set(),
            id="N2-all-signs-negative-counts-as-answered",
        ),
        pytest.param(
            {"N2": ..., "sign_hoffmann": False},
            "B-routine",
            {("incomplete:N2", "B-routine")},
            id="N2-partial-signs-incomplete",
        ),
        pytest.param({"N3": True}, "B-urgent", {("N3", "B-urgent")}, id="N3-Burgent"),
        # Trauma
        pytest.param({"T1": True}, "E", {("T1", "E")}, id="T1-canadian-E"),
        pytest.param({"T1": False}, "none-found", set(), id="T1-negative"),
        pytest.param({"T2": True}, "E", {("T2", "E")}, id="T2-nexus-E"),
        # Serious pathology
        pytest.param(
            {"S1": True, "S1_active_cancer": False},
            "B-routine",
            {("S1", "B-routine")},
            id="S1-no-active-cancer-Broutine",
        ),
        pytest.param(
            {"S1": True, "S1_active_cancer": True},
            "B-urgent",
            {("S1", "B-urgent")},
            id="S1-active-cancer-Burgent",
        ),
        pytest.param(
            {"S1": True}, "B-urgent", {("S1", "B-urgent")}, id="S1-cancer-unknown-fails-closed"
        ),
        pytest.param({"S2": True}, "B-urgent", {("S2", "B-urgent")}, id="S2-infection-Burgent"),
        pytest.param({"S3": True}, "H", {("S3", "H")}, id="S3-fracture-risk-H"),
        pytest.param(
            {"S3": True, "S3_fracture_suspected": True},
            "B-routine",
            {("S3", "B-routine")},
            id="S3-fracture-suspected-Broutine",
        ),
        pytest.param({"S4": True}, "E", {("S4", "E")}, id="S4-cauda-equina-E"),
        pytest.param({"S5": True}, "B-routine", {("S5", "B-routine")}, id="S5-unwell-Broutine"),
        # Thoracic / visceral
        pytest.param({"X1": True}, "E", {("X1", "E")}, id="X1-cardiac-E"),
        pytest.param({"X2": True}, "E", {("X2", "E")}, id="X2-aortic-E"),
        pytest.param({"X3": True}, "E", {("X3", "E")}, id="X3-pulmonary-E"),
        pytest.param({"X4": True}, "B-routine", {("X4", "B-routine")}, id="X4-visceral-Broutine"),
        pytest.param({"X5": True}, "W", {("X5", "W")}, id="X5-shingles-W"),
        pytest.param({"X6": True}, "W", {("X6", "W")}, id="X6-inflammatory-W"),
        # General
        pytest.param({"G1": True}, "W", {("G1", "W")}, id="G1-precaution-W"),
        pytest.param({"G2": True}, "B-routine", {("G2", "B-routine")}, id="G2-no-consent-block"),
    ],
)
def test_vignettes(changes, level, findings):
    got_level, got_findings = _run(**changes)
    assert got_findings == findings
    assert got_level == level


def test_empty_answers_give_one_incomplete_finding_per_item():
    result = screen({})
    assert result.level == "B-routine"
    assert [f.rule for f in result.findings] == [f"incomplete:{item}" for item in TABLE_ITEMS]
    assert {f.level for f in result.findings} == {"B-routine"}


@pytest.mark.parametrize("item", TABLE_ITEMS)
def test_each_unanswered_item_is_a_finding(item):
    level, findings = _run(**{item: None})
    assert (level, findings) == ("B-routine", {(f"incomplete:{item}", "B-routine")})


def test_findings_most_severe_first():
    result = screen({**_negative(), "G1": True, "X1": True, "S5": True, "U1": True})
    assert [f.level for f in result.findings] == ["E", "B-routine", "H", "W"]


def test_e_findings_and_consent_cannot_be_overridden():
    result = screen({**_negative(), "X1": True, "G2": True, "S5": True})
    overridable = {f.rule: f.overridable for f in result.findings}
    assert overridable == {"X1": False, "G2": False, "S5": True}


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        pytest.param([], "none-found", id="none"),
        pytest.param(["W"], "W", id="W"),
        pytest.param(["W", "H"], "H", id="H>W"),
        pytest.param(["H", "B-routine", "W"], "B-routine", id="B-routine>H"),
        pytest.param(["B-routine", "B-urgent"], "B-urgent", id="B-urgent>B-routine"),
        pytest.param(["B-urgent", "E", "W"], "E", id="E>B-urgent"),
    ],
)
def test_overall_level_order(levels, expected):
    findings = [Finding(f"r{n}", level, "reason") for n, level in enumerate(levels)]
    assert overall_level(findings) == expected


def test_config_changes_v6_threshold():
    answers = {**_negative(), "V6": ["smoking", "diabetes"], "V6_acute_onset": True}
    result = screen(answers, ScreenConfig(v6_min_factors_for_h=3))
    assert result.level == "W"
    assert result.parameters["v6_min_factors_for_h"] == 3


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        pytest.param({"Z9": True}, "unknown screening item 'Z9'", id="unknown-item"),
        pytest.param({"V2": "yes"}, "V2: expected true or false", id="yes-string"),
        pytest.param({"V1": "sometimes"}, 'V1: expected "current", "recent" or false', id="V1"),
        pytest.param({"V6": True}, "V6: expected a list of risk-factor codes", id="V6-true"),
        pytest.param({"V6": ["cats"]}, "V6: unknown risk factor 'cats'", id="V6-unknown"),
        pytest.param({"T1": "maybe"}, 'T1: expected true, false or "na"', id="T1"),
        pytest.param({"bp_systolic_mmhg": "high"}, "bp_systolic_mmhg: expected a number", id="bp"),
        pytest.param({"bp_systolic_mmhg": -5}, "outside 0..400", id="bp-negative"),
        pytest.param([1, 2], "answers must be an object", id="list"),
    ],
)
def test_malformed_answers(answers, message):
    with pytest.raises(ScreenInputError) as raised:
        screen(answers)
    assert message in str(raised.value)
