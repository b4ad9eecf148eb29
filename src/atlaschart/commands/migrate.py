"""``atlaschart migrate``: create or update the database schema."""

from __future__ import annotations

import argparse
from typing import Any

from atlaschart.commands._django import setup_django


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("database is up to date")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="create or update the database schema",
        description="Apply database migrations (SQLite under var/ by default, or DATABASE_URL).",
    )
    parser.add_argument("--verbose", action="store_true", help="list each migration applied")
    parser.set_defaults(handler=run)
