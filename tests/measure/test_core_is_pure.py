"""The measurement core and the imaging adapters must never import Django (architecture
principle 1): both run in the CLI and in benchmarks without a database."""

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import atlaschart.imaging as adapters
import atlaschart.measure as core
for package in (core, adapters):
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
        importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(",".join(bad))
"""


def test_importing_every_core_module_loads_no_django() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"measure/ or imaging/ imported Django: {result.stdout}"


def test_the_check_would_catch_a_django_import() -> None:
    # Guard against a check that cannot fail: importing Django visibly shows up the same way.
    probe = CHECK.replace("bad = ", "import django.utils.timezone\nbad = ", 1)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert "django" in result.stdout
