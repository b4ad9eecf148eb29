"""``atlaschart demo``: load the demo clinics once and print the sign-in details."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from atlaschart.commands._django import setup_django


def run(args: argparse.Namespace) -> int:
    setup_django()
    from atlaschart.clinics.demo import load_demo

    started = time.monotonic()
    result = load_demo()
    seconds = time.monotonic() - started
    if result.created:
        print(f"Demo clinics loaded in {seconds:.1f} s.")
        if result.made:
            print("  " + ", ".join(f"{what}: {n}" for what, n in sorted(result.made.items())))
        for line in result.skipped:
            print(f"  skipped {line}", file=sys.stderr)
    else:
        print("Demo clinic already loaded; nothing changed.")
    print("Sign in at http://127.0.0.1:8000/ with one of these demo accounts:")
    for clinic, username, password, role in result.credentials:
        print(f"  user {username:<16} password {password:<14} {role} · {clinic}")
    _print_ae_titles()
    return 0


def _print_ae_titles() -> None:
    """Where the demo clinics' imaging machines would send (docs/dicom_receiver.md)."""
    from atlaschart.clinics.demo import CLINICS
    from atlaschart.clinics.models import Clinic
    from atlaschart.dicom_inbox.receiver import DEFAULT_PORT

    names = {slug: name.split(" (")[0] for slug, name, *_rest in CLINICS}
    clinics = Clinic.objects.filter(slug__in=names).order_by("slug")
    print(
        f"DICOM receiver (`atlaschart dicom listen`, port {DEFAULT_PORT}; "
        "`make run` starts it with DICOM_LISTEN=1): send studies to these AE titles:"
    )
    for clinic in clinics:
        print(f"  AE title {clinic.ae_title:<16} port {DEFAULT_PORT} · {names[clinic.slug]}")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="load the demo clinics (once) and print their sign-in details",
        description="Create two demo clinics with a user per role and about 20 patients, six "
        "of them at different stages of care (intake, screen, exams, posture, radiograph, "
        "visits, follow-ups, today's appointments). "
        "Running it again changes nothing and prints the same sign-in details.",
    )
    parser.set_defaults(handler=run)
