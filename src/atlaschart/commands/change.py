"""``atlaschart change INSTRUMENT --baseline FILE --followup FILE``: classify change.

Both files use the ``atlaschart score`` answer format. Prints the category (``improved``,
``substantially-improved``, ``unchanged``, ``worse``, ``not-evaluable``), the oriented change
(positive = better), the thresholds used and both scores, as JSON. Thresholds default to the
instrument's published values (docs/instruments.md) and can be changed with the flags below.
Exit 0 when classified or cleanly not evaluable, 2 on malformed input.
"""

from __future__ import annotations

import argparse
import dataclasses

from atlaschart.commands._common import UsageError, print_json
from atlaschart.commands.score import resolve_instrument, score_file
from atlaschart.measure.instruments import interpret_change


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(f"must be >= 0: {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "change",
        help="classify the change between a baseline and a follow-up questionnaire",
        description="Score two answer files of one instrument and classify the change "
        "(docs/instruments.md).",
    )
    parser.add_argument("instrument", help="instrument id, e.g. ndi, odi, nprs, psfs")
    parser.add_argument("--baseline", required=True, metavar="FILE", help="answer file, - = stdin")
    parser.add_argument("--followup", required=True, metavar="FILE", help="answer file, - = stdin")
    parser.add_argument("--mcid", type=_non_negative, help="MCID in score points")
    parser.add_argument("--mdc", type=_non_negative, help="MDC in score points")
    parser.add_argument(
        "--improved-percent", type=_non_negative, help="percent improvement needed (0 = off)"
    )
    parser.add_argument(
        "--substantial-percent", type=_non_negative, help="percent for substantially improved"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    instrument = resolve_instrument(args.instrument)
    if instrument.change_rule is None:
        raise UsageError(f"{instrument.id} is not an outcome measure; change is not defined for it")
    if args.baseline == "-" and args.followup == "-":
        raise UsageError("only one of --baseline and --followup can read stdin")
    overrides = {
        field: value
        for field, value in (
            ("mcid_points", args.mcid),
            ("mdc_points", args.mdc),
            ("improved_percent", args.improved_percent),
            ("substantial_percent", args.substantial_percent),
        )
        if value is not None
    }
    rule = dataclasses.replace(instrument.change_rule, **overrides)
    if overrides:
        rule = dataclasses.replace(rule, source=f"{rule.source}; changed on the command line")
    baseline, baseline_language = score_file(args.baseline, instrument)
    followup, followup_language = score_file(args.followup, instrument)
    result = interpret_change(
        baseline,
        followup,
        rule,
        baseline_language=baseline_language,
        followup_language=followup_language,
    )
    print_json(result.as_json())
    return 0
