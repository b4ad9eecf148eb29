"""The ``atlaschart`` command. Thin: parses arguments and hands over to a subcommand module.

Subcommands live in ``atlaschart.commands``; see that package's docstring for the contract.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from atlaschart import __version__, commands
from atlaschart.commands._common import UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atlaschart",
        description="AtlasChart clinic system: run the web app and the measurement tools.",
    )
    parser.add_argument("--version", action="version", version=f"atlaschart {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"atlaschart.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args))
    except UsageError as exc:
        print(f"atlaschart {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
