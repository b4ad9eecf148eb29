"""``atlaschart dicom info FILE...``: a JSON summary per DICOM file.

Prints a JSON list with one object per file, in argument order; a file that is not readable DICOM
gets ``{"path", "error": {"code", "message"}}`` in the list, and the command then exits 2 with the
first such reason on one stderr line.
"""

from __future__ import annotations

import argparse
from typing import Any

from atlaschart.commands._common import UsageError, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("dicom", help="inspect DICOM files")
    sub = parser.add_subparsers(dest="dicom_command", metavar="ACTION", required=True)
    info_parser = sub.add_parser(
        "info",
        help="JSON summary per file",
        description="Summarise DICOM files: identity, modality, transfer syntax and whether it "
        "decodes, size, pixel spacing and which attribute calibrates it.",
    )
    info_parser.add_argument("files", nargs="+", metavar="FILE")
    info_parser.set_defaults(handler=run_info)


def run_info(args: argparse.Namespace) -> int:
    from atlaschart.imaging.dicom import DicomError, info

    results: list[dict[str, Any]] = []
    first_error: str | None = None
    for path in args.files:
        try:
            results.append(info(path))
        except DicomError as exc:
            results.append({"path": path, "error": exc.as_dict()})
            first_error = first_error or f"{path}: {exc.message} ({exc.code})"
    print_json(results)
    if first_error:
        raise UsageError(first_error)
    return 0
