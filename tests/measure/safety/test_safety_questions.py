"""The screening questions carry English and Korean wording for every item the rules read."""

from __future__ import annotations

from atlaschart.measure.safety import (
    CLINICIAN_SIGNS,
    RISK_FACTORS,
    SCREENING_QUESTIONS,
    parse_screen_answers,
)


def test_every_question_has_english_and_korean():
    for question in SCREENING_QUESTIONS:
        assert question.text["en"].strip() and question.text["ko"].strip()
        for choice in question.choices:
            assert set(choice.text) == {"en", "ko"}


def test_every_risk_factor_is_a_choice_with_both_languages():
    v6 = next(q for q in SCREENING_QUESTIONS if q.id == "V6")
    codes = [c.value for c in v6.choices]
    assert codes == [*RISK_FACTORS, False]  # "None of these" last
    assert all(set(text) == {"en", "ko"} for text in RISK_FACTORS.values())


def test_every_documented_key_is_accepted():
    keys = {q.id for q in SCREENING_QUESTIONS} | set(CLINICIAN_SIGNS)
    assert set(parse_screen_answers({})) == keys
