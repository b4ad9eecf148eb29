"""Rules about the repository's own text that a reviewer would otherwise have to remember.

- Code, tests, tools, benchmarks and the docs cite the primary publications by their key in
  docs/sources.md (`` ``[stiell-2001-ccr]`` ``), never notes that are not in the repository
  and never a tracker's issue number (the reason belongs in the text; numbers go stale).
- Every key cited is defined in docs/sources.md, so a reader can follow each one.
- No file under tests/ imports a test module: what tests share lives in support modules
  (tests/factories, tests/builders, tests/web's modules not named test_*, conftest.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "sources.md"

#: A definition in sources.md: a list item that starts with the key in bold code.
DEFINED = re.compile(r"\*\*`\[([^\]]+)\]`\*\*")
#: A citation: the key in backticks, or followed by "in docs/sources.md".
CITED = (
    re.compile(r"`\[([a-z][a-z0-9]*(?:-[a-z0-9.]+)+)\]`"),
    re.compile(r"\[([a-z][a-z0-9]*(?:-[a-z0-9.]+)+)\] in docs/sources\.md"),
)
#: What must not be cited: issue numbers, research notes outside the repository.
FORBIDDEN = re.compile(r"\b[Ii]ssues? \d+\b|\bresearch notes?\b|\.\./shared|shared/research")


def _text_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"]
    for folder, pattern in (
        ("src", "*.py"),
        ("src", "*.html"),
        ("tests", "*.py"),
        ("tools", "*.py"),
        ("bench", "*.py"),
        ("docs", "*.md"),
    ):
        files.extend(sorted((ROOT / folder).rglob(pattern)))
    this = Path(__file__).resolve()
    return [f for f in files if f.is_file() and f.resolve() != this]


def _lines(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in _text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    return found


def test_nothing_cites_an_issue_number_or_notes_outside_the_repository() -> None:
    assert _lines(FORBIDDEN) == []


def test_every_cited_source_is_defined_in_sources_md() -> None:
    defined = set(DEFINED.findall(SOURCES.read_text(encoding="utf-8")))
    assert len(defined) > 50, "sources.md lost its definitions"
    undefined = []
    for path in _text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in CITED:
                for key in pattern.findall(line):
                    if key not in defined:
                        undefined.append(f"{path.relative_to(ROOT)}:{number}: [{key}]")
    assert undefined == []


@pytest.mark.parametrize(
    ("line", "bad"),
    [
        ("# the fix for issue 16", True),
        ("see the research notes §4.1", True),
        ("../shared/research/clinical.md", True),
        ("(docs/sources.md ``[stiell-2001-ccr]``)", False),
        ("an issue with 3 parts", False),
    ],
)
def test_the_forbidden_pattern_catches_what_it_should(line: str, bad: bool) -> None:
    assert bool(FORBIDDEN.search(line)) is bad


def _test_modules_imported(source: str) -> list[tuple[int, str]]:
    """(line, module) for each import in ``source`` of a ``test_*`` module of tests/ (absolute,
    ``tests.`` ..., or relative); an import is named once however many names it takes."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            relative = False
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            # ``from tests.web import test_visits``: the names taken may be modules too.
            modules = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            relative = node.level > 0
        else:
            continue
        for module in modules:
            parts = [part for part in module.split(".") if part]
            if (relative or parts[:1] == ["tests"]) and any(p.startswith("test_") for p in parts):
                found.append((node.lineno, "." * getattr(node, "level", 0) + module))
                break
    return found


def test_no_file_under_tests_imports_a_test_module() -> None:
    """Importing a test module ties the importer to that module's own helpers: it breaks when
    they move or change for that module's tests (as the browser journeys did), and a test
    function taken along is collected twice. Shared helpers belong in tests/factories,
    tests/builders, tests/web's support modules (not named test_*) or a conftest.py."""
    found = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for line, module in _test_modules_imported(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "imports_a_test_module"),
    [
        ("import tests.web.test_visits", True),
        ("import tests.web.test_visits as visits", True),
        ("from tests.web import test_object_storage as object_storage", True),
        ("from tests.web.test_dicom_receiver import ct, send", True),
        ("from tests.browser.test_imaging_journey import POINTS", True),
        ("from .test_progress import make_story", True),
        ("from . import test_progress", True),
        ("def f():\n    from tests.web.test_outcomes import x", True),
        ("from tests.factories.care import screen_record", False),
        ("from tests.web import routes", False),
        ("from tests.browser.conftest import screenshot", False),
        ("from atlaschart.lib import test_data", False),
        ("import pytest", False),
    ],
)
def test_the_test_module_import_check_catches_what_it_should(
    source: str, imports_a_test_module: bool
) -> None:
    assert bool(_test_modules_imported(source)) is imports_a_test_module
