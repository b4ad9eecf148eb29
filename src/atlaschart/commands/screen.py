"""``atlaschart screen --answers FILE``: run the red-flag screen (docs/safety.md).

Answer file (``-`` reads stdin): ``{"answers": {"V1": "current"|"recent"|false, "V2": true, ...}}``
with the item ids of the screen's rule table plus the detail and clinician-sign keys, all documented
in docs/safety.md. Prints ``{"rules_version", "level", "findings": [{"rule", "level", "reason"}]}``.
Exit 0 on any screening result, 2 on malformed input.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from atlaschart.commands._common import UsageError, print_json, read_json
from atlaschart.measure.safety import RULES_VERSION, ScreenConfig, ScreenInputError, screen


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "screen",
        help="run the pre-manual-therapy red-flag screen on an answer file",
        description="Run the versioned red-flag rules; unanswered items are findings.",
    )
    parser.add_argument("--answers", required=True, metavar="FILE", help="answer file, - = stdin")
    defaults = ScreenConfig()
    parser.add_argument(
        "--v6-min-factors",
        type=_positive_int,
        default=defaults.v6_min_factors_for_h,
        help="risk factors that, with acute onset, make V6 an H (default %(default)s)",
    )
    parser.add_argument(
        "--bp-systolic",
        type=_positive_float,
        default=defaults.bp_systolic_h_mmhg,
        help="V7 systolic threshold in mmHg (default %(default)s)",
    )
    parser.add_argument(
        "--bp-diastolic",
        type=_positive_float,
        default=defaults.bp_diastolic_h_mmhg,
        help="V7 diastolic threshold in mmHg (default %(default)s)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data = read_json(args.answers)
    if not isinstance(data, Mapping) or "answers" not in data:
        raise UsageError(f'{args.answers}: expected a JSON object with "answers"')
    unknown = [key for key in data if key not in ("answers", "rules_version")]
    if unknown:
        raise UsageError(f"{args.answers}: unknown field {unknown[0]!r}")
    if "rules_version" in data and data["rules_version"] != RULES_VERSION:
        raise UsageError(
            f"{args.answers}: written for rules version {data['rules_version']!r}; "
            f"this is version {RULES_VERSION!r}"
        )
    config = ScreenConfig(
        v6_min_factors_for_h=args.v6_min_factors,
        bp_systolic_h_mmhg=args.bp_systolic,
        bp_diastolic_h_mmhg=args.bp_diastolic,
    )
    try:
        result = screen(data["answers"], config)
    except ScreenInputError as exc:
        raise UsageError(f"{args.answers}: {exc}") from None
    print_json(result.as_json())
    return 0
