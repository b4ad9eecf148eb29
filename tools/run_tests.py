"""The whole test suite, as `make test` runs it.

1. lint and formatting (ruff), types (mypy --strict with the django-stubs plugin on all of
   src/atlaschart), import contracts, a complexity limit, migrations up to date,
   Korean translation complete;
2. pytest on SQLite;
3. pytest again on PostgreSQL when one answers at 127.0.0.1:5432 (a fresh database per run,
   created and dropped by pytest-django). The browser tests (when Chromium is there) run once:
   in the PostgreSQL run, or in the SQLite run when no PostgreSQL answers.
At the end it says plainly which runs were skipped and why. Exit status: non-zero if anything
failed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("ATLASCHART_CHROMIUM", "/usr/bin/chromium")
PG_HOST, PG_PORT = "127.0.0.1", 5432


def step(title: str, argv: list[str], env: dict[str, str] | None = None) -> bool:
    print(f"\n=== {title}\n$ {' '.join(argv)}", flush=True)
    result = subprocess.run(argv, cwd=ROOT, env={**os.environ, **(env or {})}, check=False)
    print(
        f"--- {title}: {'ok' if result.returncode == 0 else f'FAILED (exit {result.returncode})'}"
    )
    return result.returncode == 0


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    results: dict[str, bool] = {}
    skipped: list[str] = []
    os.environ.setdefault("ATLASCHART_VAR_DIR", str(ROOT / "var" / "test"))

    results["ruff"] = step("ruff", [str(BIN / "ruff"), "check", "."])
    results["ruff format"] = step(
        "ruff format --check",
        [str(BIN / "ruff"), "format", "--check", "src", "tests", "bench", "tools"],
    )
    results["mypy --strict"] = step(
        "mypy --strict, django-stubs plugin, on all of src/atlaschart",
        [str(BIN / "mypy")],
    )
    results["import contracts"] = step(
        "import-linter: the core and the adapters import nothing above them",
        [str(BIN / "lint-imports"), "--no-cache"],
    )
    results["migrations up to date"] = step(
        "makemigrations --check",
        [sys.executable, "-m", "django", "makemigrations", "--check", "--dry-run"],
        env={"DJANGO_SETTINGS_MODULE": "atlaschart.web.settings"},
    )
    results["Korean translation complete"] = step(
        "i18n check", [str(BIN / "atlaschart"), "i18n", "check"]
    )

    if not os.environ.get("REDIS_TEST_URL"):
        if answers("127.0.0.1", 6379):
            os.environ["REDIS_TEST_URL"] = "redis://127.0.0.1:6379/15"
        else:
            skipped.append("Redis/Celery tests: nothing answers at 127.0.0.1:6379")
    # Object storage (tests/web/test_object_storage.py): .ci/run starts both servers.
    if not os.environ.get("S3_TEST_URL"):
        skipped.append(
            "object-storage tests: S3_TEST_URL is not set (.ci/run starts moto_server; or "
            "`.venv/bin/moto_server -p PORT &` and S3_TEST_URL=http://test:test@127.0.0.1:PORT)"
        )
    if not os.environ.get("S3_EXPIRY_TEST_URL"):
        skipped.append(
            "signed-URL expiry test: S3_EXPIRY_TEST_URL is not set (.ci/run starts s3rver from "
            "npm; moto checks no expiry)"
        )
    if not Path(CHROMIUM).exists():
        skipped.append(f"browser tests: {CHROMIUM} not found (apt-get install -y chromium)")
    # The browser journeys run once: on PostgreSQL (the production engine) when it answers, else
    # on SQLite.
    postgres = answers(PG_HOST, PG_PORT)
    sqlite_env = {"DATABASE_URL": "sqlite:///var/test/unused.sqlite3"}
    sqlite_args = ["--ignore=tests/browser"] if postgres else []
    results["pytest on SQLite"] = step(
        "pytest on SQLite" + (" (browser journeys run on PostgreSQL)" if postgres else ""),
        [sys.executable, "-m", "pytest", *sqlite_args],
        sqlite_env,
    )

    if postgres:
        database = f"atlaschart_ci_{os.getpid()}"
        url = f"postgres://postgres@{PG_HOST}:{PG_PORT}/{database}"
        results["pytest on PostgreSQL"] = step(
            "pytest on PostgreSQL (fresh database test_" + database + ", dropped afterwards)",
            [sys.executable, "-m", "pytest", "--ignore=tests/measure", "--ignore=tests/imaging"],
            {"DATABASE_URL": url},
        )
    else:
        skipped.append(f"PostgreSQL run: nothing answers at {PG_HOST}:{PG_PORT}")

    print("\n=== summary")
    for name, ok in results.items():
        print(f"  {'ok    ' if ok else 'FAILED'}  {name}")
    for reason in skipped:
        print(f"  SKIPPED {reason}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
