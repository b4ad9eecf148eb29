"""``atlaschart score INSTRUMENT --answers FILE``: score one questionnaire.

Answer file (``-`` reads stdin)::

    {"answers": {"q1": 3, "q2": null, "q3": "na", ...}}          item-based instruments
    {"answers": {"activities": [{"name": "...", "score": 4}]}}   PSFS

Optional top-level ``instrument``, ``version`` and ``language`` are checked against the
instrument when given. Prints ``{"instrument", "version", "scorable", "score", "percent",
"band", "answered", "reason"}``. Exit 0 when scored or cleanly not scorable, 2 on malformed input.
See docs/instruments.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from atlaschart.commands._common import UsageError, print_json, read_json
from atlaschart.measure.instruments import AnswerError, Instrument, get_instrument, score
from atlaschart.measure.instruments.model import Score

_TOP_LEVEL = ("answers", "instrument", "version", "language")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a questionnaire (NDI, ODI, NPRS, ...) from an answer file",
        description="Score a questionnaire from a JSON answer file and print the score as JSON.",
    )
    parser.add_argument("instrument", help="instrument id, e.g. ndi, odi, nprs, psfs, hit-6")
    parser.add_argument("--answers", required=True, metavar="FILE", help="answer file, - = stdin")
    parser.set_defaults(handler=run)


def resolve_instrument(instrument_id: str) -> Instrument:
    try:
        return get_instrument(instrument_id)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


def load_answers(path: str, instrument: Instrument) -> tuple[Any, str | None]:
    """Read an answer file; return the raw ``answers`` value and the optional language."""
    data = read_json(path)
    if not isinstance(data, Mapping) or "answers" not in data:
        raise UsageError(f'{path}: expected a JSON object with "answers"')
    unknown = [key for key in data if key not in _TOP_LEVEL]
    if unknown:
        raise UsageError(f"{path}: unknown field {unknown[0]!r} (allowed: {', '.join(_TOP_LEVEL)})")
    if "instrument" in data and str(data["instrument"]).lower() != instrument.id:
        raise UsageError(f"{path}: answers are for {data['instrument']!r}, not {instrument.id}")
    if "version" in data and data["version"] != instrument.version:
        raise UsageError(
            f"{path}: answers are for version {data['version']!r}; "
            f"{instrument.id} is scored as version {instrument.version!r}"
        )
    language = data.get("language")
    if language is not None and language not in instrument.languages:
        raise UsageError(f"{path}: language must be one of {', '.join(instrument.languages)}")
    return data["answers"], language


def score_file(path: str, instrument: Instrument) -> tuple[Score, str | None]:
    raw, language = load_answers(path, instrument)
    try:
        return score(instrument, raw), language
    except AnswerError as exc:
        raise UsageError(f"{path}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    instrument = resolve_instrument(args.instrument)
    result, _ = score_file(args.answers, instrument)
    print_json(result.as_json())
    return 0
