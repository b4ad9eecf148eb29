"""Reason codes: every finding has one, its English is rendered from it once, and the exam's
sign keys map onto the screen's."""

from __future__ import annotations

from atlaschart.measure.exam.neuro import UMN_SIGN_KEYS
from atlaschart.measure.safety import REASON_CODES, SCREENING_ITEMS, Finding, screen
from atlaschart.measure.safety.signs import (
    SCREEN_KEY_OF_UMN,
    signs_from_blood_pressure,
    signs_from_umn,
)

POSITIVE = {
    "V1": "current",
    "V2": True,
    "V3": "recent",
    "V5": True,
    "V6": ["smoking", "diabetes"],
    "V6_acute_onset": True,
    "U1": True,
    "S1": True,
    "S3": True,
    "bp_systolic_mmhg": 190,
    "bp_diastolic_mmhg": 100,
    "sign_hoffmann": True,
    **{item: True for item in SCREENING_ITEMS if item not in ("V1", "V3", "V6", "T1", "T2")},
    "T1": True,
    "T2": True,
}


def test_every_finding_carries_a_known_code_and_its_english() -> None:
    for answers in (POSITIVE, {}, {"V6": ["smoking", "diabetes"]}):
        for f in screen(answers).findings:
            assert f.code in REASON_CODES, f
            assert f.reason and "{" not in f.reason


def test_stored_record_round_trip_keeps_the_code_and_params() -> None:
    for f in screen(POSITIVE).findings:
        assert Finding.from_record(f.as_record()) == f


def test_a_record_without_a_code_is_still_a_finding() -> None:
    old = {"rule": "X4", "level": "B-routine", "reason": "possible visceral source"}
    assert Finding.from_record(old).code == ""


def test_an_unknown_code_is_refused() -> None:
    try:
        Finding("X4", "B-routine", "text", code="made_up")
    except ValueError:
        return
    raise AssertionError("an unknown reason code was accepted")


def test_the_exam_keys_map_onto_the_screen_keys() -> None:
    # Every UMN key of the neuro exam but the cluster's own verdict (the screen counts it).
    assert set(SCREEN_KEY_OF_UMN) == set(UMN_SIGN_KEYS) - {"cook_cluster_positive"}
    umn = {
        "hoffmann": True,
        "babinski": None,
        "gait_abnormal": False,
        "cook_cluster_positive": True,
    }
    assert signs_from_umn(umn) == {"sign_hoffmann": True, "sign_gait_abnormal": False}


def test_blood_pressure_signs_take_the_higher_arm() -> None:
    assert signs_from_blood_pressure([185, 150], [95, 90]) == {
        "bp_systolic_mmhg": 185.0,
        "bp_diastolic_mmhg": 95.0,
    }
    assert signs_from_blood_pressure([185, None], [None, None]) == {}


def test_all_codes_are_reachable() -> None:
    """Each code is produced by some answers (so none is dead)."""
    seen = {f.code for f in screen(POSITIVE).findings} | {f.code for f in screen({}).findings}
    variants = [
        {"V1": "recent", "V3": "current"},
        {"V5": True},
        {"U1": True},
        {"S1": True, "S1_active_cancer": True},
        {"S1": True, "S1_active_cancer": False},
        {"S3": True, "S3_fracture_suspected": True},
        {"V6": ["smoking", "diabetes"], "V6_acute_onset": None},
        {"V7": True},
    ]
    for answers in variants:
        seen |= {f.code for f in screen(answers).findings}
    assert seen == set(REASON_CODES), set(REASON_CODES) - seen
