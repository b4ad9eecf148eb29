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
    warnings: list[str] = []
    if args.deploy:
        problems.extend(_access_log_protection(connection))
        warnings.extend(_autovacuum(connection))
    missing = compiled_catalogues_missing()
    print(f"translations: {'compiled' if not missing else 'NOT compiled: ' + ', '.join(missing)}")
    if missing:
        problems.append("run `atlaschart i18n compile`")
    pose = importlib.util.find_spec("mediapipe") is not None
    print(f"pose model: {'installed' if pose else 'not installed (landmarks by hand only)'}")
    for warning in warnings:
        print(f"WARNING: {warning}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if problems:
        print(f"{len(problems)} problem(s)")
    else:
        print("ok" if not warnings else f"ok, {len(warnings)} warning(s)")
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


def _autovacuum(connection: Any) -> list[str]:
    """PostgreSQL keeps its planner statistics fresh through autovacuum's ANALYZE. Without it the
    statistics go stale as the access log grows by thousands of rows a day, and the planner
    picks plans for a table it thinks is small (measured: the log page 9x slower). A warning,
    not a problem: the app still works, and a DBA may run VACUUM ANALYZE from cron instead."""
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('autovacuum'), current_setting('track_counts')")
            autovacuum, track_counts = cursor.fetchone()
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = current_schema() "
                "AND c.reloptions @> ARRAY['autovacuum_enabled=false'] ORDER BY c.relname"
            )
            tables_off = [name for (name,) in cursor.fetchall()]
    except Exception as exc:
        return [f"autovacuum could not be checked: {exc}"]
    warnings = []
    if autovacuum != "on":
        warnings.append(
            "PostgreSQL's autovacuum is off (SHOW autovacuum): planner statistics go stale as "
            "the access log grows; turn it on in postgresql.conf, or run VACUUM ANALYZE from "
            "cron (docs/audit.md)"
        )
    elif track_counts != "on":
        warnings.append("track_counts is off, so autovacuum cannot see what changed: turn it on")
    for table in tables_off:
        warnings.append(
            f"autovacuum is off for the table {table} (autovacuum_enabled = false): "
            f"ALTER TABLE {table} RESET (autovacuum_enabled)"
        )
    print(
        "autovacuum: "
        + ("on" if autovacuum == "on" and track_counts == "on" else "OFF")
        + (f", off for {len(tables_off)} table(s)" if tables_off else "")
    )
    return warnings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check settings, database, translations and optional parts",
        description="Run Django's system checks; report database, translations, pose model.",
    )
    parser.add_argument(
        "--deploy",
        action="store_true",
        help="also run Django's deployment checks, check that the access log is append-only, "
        "and warn when PostgreSQL's autovacuum is off",
    )
    parser.set_defaults(handler=run)
