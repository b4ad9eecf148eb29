"""``atlaschart uc-analysis --landmarks FILE``: upper cervical analysis of one view from landmarks.

Input and output follow the contract in docs/radiograph.md (see
``atlaschart.measure.radiograph.landmarks`` and ``Analysis.to_json``). Malformed input (bad JSON,
missing point, too few pairs, coincident points) exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
from typing import Any

from atlaschart.commands._common import UsageError, print_json, read_json
from atlaschart.measure.radiograph import analyse, construct_errors, landmarks_from_dict


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "uc-analysis",
        help="upper cervical analysis (nasium, vertex, lateral) from landmarks",
        description="Compute the generic orthogonal upper cervical constructs of one view from "
        "landmark coordinates (image pixels, x right, y down) and print them as JSON.",
    )
    parser.add_argument(
        "--landmarks", required=True, metavar="FILE", help="landmark JSON file, '-' for stdin"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data: Any = read_json(args.landmarks)
    try:
        marks = landmarks_from_dict(data)
        result = analyse(marks)
    except ValueError as exc:  # LandmarkError, GeometryError
        raise UsageError(str(exc)) from exc
    out = result.to_json()
    # Added key (the contract only grows): each value's error, 1 SD (docs/cli.md).
    out["errors"] = {name: e.to_json() for name, e in construct_errors(marks, result).items()}
    print_json(out)
    return 0
