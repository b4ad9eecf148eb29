"""The instrument catalogue matches the published structure (docs/sources.md, Questionnaires) and
the licence split of docs/instruments.md: free instruments carry EN+KO wording, licensed ones carry
none."""

from __future__ import annotations

import pytest

from atlaschart.measure.instruments import INSTRUMENTS, get_instrument


@pytest.mark.parametrize(
    ("instrument", "items", "licence"),
    [
        pytest.param("nprs", 1, "free", id="nprs-1-item"),
        pytest.param("groc", 1, "free", id="groc-1-item"),
        pytest.param("psfs", 0, "free", id="psfs-activities"),
        pytest.param("start-back", 9, "free", id="sbst-9-items-Hill-2008"),
        pytest.param("ndi", 10, "licensed", id="ndi-10-Vernon-1991"),
        pytest.param("odi", 10, "licensed", id="odi-10-Fairbank-2000"),
        pytest.param("rmdq", 24, "licensed", id="rmdq-24"),
        pytest.param("bournemouth-neck", 7, "licensed", id="bq-neck-7"),
        pytest.param("bournemouth-back", 7, "licensed", id="bq-back-7"),
        pytest.param("hit-6", 6, "licensed", id="hit6-6"),
        pytest.param("dhi", 25, "licensed", id="dhi-25-Jacobson-1990"),
    ],
)
def test_structure_and_licence(instrument, items, licence):
    definition = get_instrument(instrument)
    assert len(definition.items) == items
    assert definition.licence.status == licence
    assert definition.needs_wording_pack == (licence == "licensed")
    for item in definition.items:
        if licence == "free":
            assert set(item.text) == {"en", "ko"}
            assert all(set(option.text) == {"en", "ko"} for option in item.options)
        else:
            assert item.text == {} and all(option.text == {} for option in item.options)


def test_catalogue_is_complete():
    assert set(INSTRUMENTS) == {
        "nprs", "psfs", "groc", "start-back", "ndi", "odi", "rmdq",
        "bournemouth-neck", "bournemouth-back", "hit-6", "dhi",
    }  # fmt: skip


def test_lookup_is_case_insensitive():
    assert get_instrument(" NDI ").id == "ndi"


def test_start_back_keeps_keele_copyright_and_flags_its_korean():
    sbst = get_instrument("start-back")
    assert "Keele University" in sbst.licence.notice
    assert "Arthritis Research UK" in sbst.licence.notice
    assert "not a validated" in sbst.translation_note["ko"]


@pytest.mark.parametrize(
    ("instrument", "item", "scores"),
    [
        pytest.param("hit-6", "q1", (6, 8, 10, 11, 13), id="hit6-points"),
        pytest.param("start-back", "q9", (0, 0, 0, 1, 1), id="sbst-q9-very-much-extremely"),
        pytest.param("dhi", "q1", (4, 2, 0), id="dhi-yes-sometimes-no"),
        pytest.param("ndi", "q1", (0, 1, 2, 3, 4, 5), id="ndi-0-5"),
    ],
)
def test_option_scores_in_published_order(instrument, item, scores):
    options = get_instrument(instrument).item(item).options
    assert tuple(o.score for o in options) == scores


def test_nprs_recall_period_is_fixed_in_both_languages():
    nprs = get_instrument("nprs")
    assert nprs.recall_period == {
        "en": "average over the past 24 hours",
        "ko": "지난 24시간 동안의 평균",
    }
    assert "24" in nprs.items[0].text["en"] and "24시간" in nprs.items[0].text["ko"]


def test_every_change_threshold_has_a_source():
    for instrument in INSTRUMENTS.values():
        for threshold in (*instrument.mcid, *instrument.mdc):
            assert threshold.source
        if instrument.change_rule is not None:
            assert instrument.change_rule.source
