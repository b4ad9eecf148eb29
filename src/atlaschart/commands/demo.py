"""``atlaschart demo``: load the demo clinics once and print the sign-in details."""

from __future__ import annotations

import argparse
from typing import Any

from atlaschart.commands._django import setup_django


def run(args: argparse.Namespace) -> int:
    setup_django()
    from atlaschart.clinics.demo import load_demo

    result = load_demo()
    print("Demo clinic " + ("created." if result.created else "already loaded; nothing changed."))
    print("Sign in at http://127.0.0.1:8000/ with one of these demo accounts:")
    for clinic, username, password, role in result.credentials:
        print(f"  user {username:<16} password {password:<14} {role} · {clinic}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="load the demo clinics (once) and print their sign-in details",
        description="Create two demo clinics with a user per role and about 20 patients. "
        "Running it again changes nothing and prints the same sign-in details.",
    )
    parser.set_defaults(handler=run)
