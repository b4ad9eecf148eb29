"""``atlaschart imaging sweep-uploads``: remove staged DICOM uploads nobody confirmed, upload
sets nobody imported, and packed de-identified exports older than a day.

A staged upload waits for the clinician to confirm a patient-identity difference and holds the
names and IDs of the files' headers. Run this from a timer (systemd, cron) every few minutes where
no Celery beat runs; with beat, the task ``atlaschart.imaging.sweep_staged_uploads`` does it.
"""

from __future__ import annotations

import argparse
from typing import Any

from atlaschart.commands._common import UsageError, print_json
from atlaschart.commands._django import setup_django


def run_sweep(args: argparse.Namespace) -> int:
    if args.max_age_minutes < 1:
        raise UsageError("--max-age-minutes must be at least 1")
    setup_django()
    from atlaschart.imaging_studies import storage, sweeps

    max_age_s = min(args.max_age_minutes * 60, storage.TOKEN_MAX_AGE_S)
    print_json(sweeps.sweep(max_age_s))
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("imaging", help="imaging maintenance")
    sub = parser.add_subparsers(dest="imaging_command", metavar="ACTION", required=True)
    sweep = sub.add_parser(
        "sweep-uploads",
        help="remove staged uploads that were never confirmed and expired exports",
        description="Remove staged DICOM uploads older than their confirmation token (one hour), "
        "or than --max-age-minutes if shorter, and de-identified exports packed more than a day "
        "ago.",
    )
    sweep.add_argument("--max-age-minutes", type=int, default=60, metavar="N")
    sweep.set_defaults(handler=run_sweep)
