"""``atlaschart report``: a patient's progress report as PDF (docs/reports.md).

Acts as the clinic's first active clinic admin (``Actor.system(admin, via="cli")``), so the
export goes through the same doors and is written to the access log like one made on the web.
Exit 2 with a one-line message for an unknown clinic or chart number, a clinic without an active
admin, or an output file that cannot be written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from atlaschart.commands._common import UsageError
from atlaschart.commands._django import chart_as_clinic_admin, setup_django


def run_report(args: argparse.Namespace) -> int:
    setup_django()
    from atlaschart.reports.services import make_patient_report

    actor, patient_id = chart_as_clinic_admin(args.clinic, args.chart)
    pdf = make_patient_report(actor, patient_id, args.lang)
    try:
        Path(args.out).write_bytes(pdf)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(f"wrote {args.out} ({len(pdf)} bytes)")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a patient's progress report as PDF (Korean or English)",
        description="A patient's progress report as PDF, logged as an export (docs/reports.md).",
    )
    parser.add_argument("--clinic", required=True, help="the clinic's short name (slug)")
    parser.add_argument("--chart", required=True, help="the patient's chart number")
    parser.add_argument(
        "--lang", choices=("ko", "en"), default=None, help="default: the patient's language"
    )
    parser.add_argument("--out", required=True, help="the PDF file to write")
    parser.set_defaults(handler=run_report)
