"""Helpers shared by subcommands: reading JSON input and failing with exit code 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


class UsageError(Exception):
    """Malformed input: the CLI prints the message on one line to stderr and exits with 2."""


def read_json(path: str) -> Any:
    """Read JSON from a file path, or from stdin when ``path`` is ``-``."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"bad JSON in {path}: {exc.msg} at line {exc.lineno}") from exc


def print_json(data: Any) -> None:
    """Print JSON the way every subcommand does: UTF-8, two-space indent, stable key order."""
    print(json.dumps(data, ensure_ascii=False, indent=2))
