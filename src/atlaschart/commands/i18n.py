"""``atlaschart i18n``: keep the Korean translation complete and compiled (no gettext tools)."""

from __future__ import annotations

import argparse
from typing import Any

from atlaschart.web import i18n_tools


def run(args: argparse.Namespace) -> int:
    if args.action == "compile":
        compiled = i18n_tools.compile_catalogues()
        print(f"compiled {len(compiled)} catalogue(s)")
        return 0
    if args.action == "update":
        added = i18n_tools.update_catalogues()
        for path, count in added.items():
            print(f"{path}: {count} new string(s) to translate")
        if not added:
            print("no new strings")
        return 0
    missing = i18n_tools.missing_translations()
    for line in missing:
        print(line)
    print(f"{len(missing)} string(s) without a translation")
    return 1 if missing else 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "i18n",
        help="update, check and compile the Korean translation",
        description="update: add newly marked strings to each app's ko catalogue; check: list "
        "strings without a Korean translation (exit 1 if any); compile: write the .mo files.",
    )
    parser.add_argument("action", choices=["update", "check", "compile"])
    parser.set_defaults(handler=run)
