"""Questionnaires: definitions as data, exact scoring, change interpretation, wording packs.

Public API::

    get_instrument(id) -> Instrument          INSTRUMENTS: dict[id, Instrument]
    score(instrument_or_id, raw_answers) -> Score          (AnswerError on malformed input)
    interpret_change(baseline, followup, rule=None) -> Change
    check_wording_pack(data) -> list[str]     load_wording_pack(data) -> WordingPack

See docs/instruments.md for each instrument's scoring, sources and licence.
"""

from atlaschart.measure.instruments.catalogue import INSTRUMENTS, get_instrument
from atlaschart.measure.instruments.change import Change, interpret_change
from atlaschart.measure.instruments.free import PSFS_SINGLE_ACTIVITY_RULE
from atlaschart.measure.instruments.model import (
    Band,
    ChangeRule,
    Instrument,
    Item,
    Licence,
    Option,
    Score,
    Threshold,
)
from atlaschart.measure.instruments.scoring import (
    AnswerError,
    parse_activities,
    parse_answers,
    score,
)
from atlaschart.measure.instruments.wording import (
    ItemWording,
    WordingPack,
    WordingPackError,
    check_wording_pack,
    load_wording_pack,
)

__all__ = [
    "INSTRUMENTS",
    "PSFS_SINGLE_ACTIVITY_RULE",
    "AnswerError",
    "Band",
    "Change",
    "ChangeRule",
    "Instrument",
    "Item",
    "ItemWording",
    "Licence",
    "Option",
    "Score",
    "Threshold",
    "WordingPack",
    "WordingPackError",
    "check_wording_pack",
    "get_instrument",
    "interpret_change",
    "load_wording_pack",
    "parse_activities",
    "parse_answers",
    "score",
]
