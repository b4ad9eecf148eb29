"""Validation of clinic-supplied wording for licensed instruments."""

from __future__ import annotations

import pytest

from atlaschart.measure.instruments import (
    WordingPackError,
    check_wording_pack,
    load_wording_pack,
)


def _ndi_pack(**changes: object) -> dict[str, object]:
    pack: dict[str, object] = {
        "instrument": "ndi",
        "version": "vernon-1991",
        "language": "ko",
        "licence_reference": "clinic licence 42",
        "items": {
            f"q{n}": {"text": f"item {n}", "options": [f"statement {s}" for s in range(6)]}
            for n in range(1, 11)
        },
    }
    pack.update(changes)
    return pack


def test_valid_pack_loads():
    assert check_wording_pack(_ndi_pack()) == []
    pack = load_wording_pack(_ndi_pack())
    assert pack.language == "ko"
    assert pack.items["q3"].options[5] == "statement 5"
    assert pack.licence_reference == "clinic licence 42"


def test_rmdq_statements_take_no_options():
    items = {f"q{n}": {"text": f"statement {n}"} for n in range(1, 25)}
    pack = {"instrument": "rmdq", "version": "rmdq-24", "language": "en", "items": items}
    assert check_wording_pack(pack) == []


def _without(items: dict[str, object], key: str) -> dict[str, object]:
    return {k: v for k, v in items.items() if k != key}


@pytest.mark.parametrize(
    ("pack", "message"),
    [
        pytest.param([], "the file must hold a JSON object", id="not-object"),
        pytest.param(_ndi_pack(instrument="sf-36"), "'sf-36' is not a licensed", id="unknown"),
        pytest.param(
            _ndi_pack(instrument="nprs"), "instrument: nprs ships its own wording", id="free"
        ),
        pytest.param(_ndi_pack(version="2008"), "version: this pack is for '2008'", id="version"),
        pytest.param(_ndi_pack(language="fr"), "language: 'fr' is not one of en, ko", id="lang"),
        pytest.param(_ndi_pack(items=[]), "items: must be an object", id="items-list"),
        pytest.param(_ndi_pack(colour="red"), "colour: unknown field", id="extra-key"),
        pytest.param(
            _ndi_pack(items=_without(_ndi_pack()["items"], "q7")), "items.q7: missing", id="q7"
        ),
        pytest.param(
            _ndi_pack(items={**_ndi_pack()["items"], "q11": {"text": "x", "options": []}}),
            "items.q11: ndi has items q1..q10 only",
            id="q11",
        ),
        pytest.param(
            _ndi_pack(items={**_ndi_pack()["items"], "q3": {"text": " ", "options": ["a"] * 6}}),
            "items.q3.text: missing or empty",
            id="empty-text",
        ),
        pytest.param(
            _ndi_pack(items={**_ndi_pack()["items"], "q3": {"text": "t", "options": ["a"] * 5}}),
            "items.q3.options: expected 6 option texts in published order (scores [0, 1, 2, 3, "
            "4, 5]), got 5",
            id="five-options",
        ),
        pytest.param(
            _ndi_pack(
                items={**_ndi_pack()["items"], "q3": {"text": "t", "options": ["a"] * 5 + [""]}}
            ),
            "items.q3.options[6]: missing or empty text",
            id="empty-option",
        ),
    ],
)
def test_errors_name_the_place(pack, message):
    errors = check_wording_pack(pack)
    assert any(message in error for error in errors), errors
    with pytest.raises(WordingPackError) as raised:
        load_wording_pack(pack)
    assert raised.value.errors == tuple(errors)


def test_all_errors_reported_at_once():
    pack = _ndi_pack(version="x", language="fr", items={"q1": {"text": ""}})
    errors = check_wording_pack(pack)
    # version, language, q1 text, q1 options, q2..q10 missing
    assert len(errors) == 2 + 2 + 9
