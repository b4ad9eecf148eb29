"""``atlaschart check``: is this installation ready to serve?"""

from __future__ import annotations

import argparse
import importlib.util
from typing import Any

from atlaschart.commands._django import setup_django


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from atlaschart.web.i18n_tools import compiled_catalogues_missing

    problems: list[str] = []
    try:
        call_command("check", deploy=args.deploy, fail_level="ERROR", verbosity=0)
    except Exception as exc:
        problems.append(f"system check: {exc}")
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        print(f"database: {connection.vendor}, {len(pending)} migration(s) pending")
        if pending:
            problems.append("run `atlaschart migrate`")
    except Exception as exc:
        problems.append(f"database unreachable: {exc}")
    if args.deploy:
        problems.extend(_access_log_protection(connection))
    missing = compiled_catalogues_missing()
    print(f"translations: {'compiled' if not missing else 'NOT compiled: ' + ', '.join(missing)}")
    if missing:
        problems.append("run `atlaschart i18n compile`")
    pose = importlib.util.find_spec("mediapipe") is not None
    print(f"pose model: {'installed' if pose else 'not installed (landmarks by hand only)'}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


def _access_log_protection(connection: Any) -> list[str]:
    """The access log is append-only in the database itself, not just in the app (docs/audit.md)."""
    from atlaschart.audit.guard import protection_problems

    try:
        problems = protection_problems(connection)
    except Exception as exc:
        return [f"access log protection could not be checked: {exc}"]
    if connection.vendor == "postgresql":
        how = "triggers, and the runtime role may not UPDATE, DELETE or TRUNCATE it"
    else:
        how = "triggers (SQLite has no roles: protect the database file)"
    print(f"access log: {'append-only by ' + how if not problems else 'NOT protected'}")
    return problems


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check settings, database, translations and optional parts",
        description="Run Django's system checks; report database, translations, pose model.",
    )
    parser.add_argument(
        "--deploy",
        action="store_true",
        help="also run Django's deployment checks and check that the access log is append-only",
    )
    parser.set_defaults(handler=run)
