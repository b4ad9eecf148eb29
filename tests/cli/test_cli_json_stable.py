"""The CLI's JSON on the example files, byte for byte (docs/cli.md: the formats are a public
interface). Scores themselves are checked against hand computation in test_score_screen_change;
this test catches any change of shape, key order, number formatting or wording.

A deliberate change of format: regenerate with ``ATLASCHART_UPDATE_GOLDEN=1 pytest
tests/cli/test_cli_json_stable.py``, say so in CHANGELOG.md, and review the diff of golden/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from atlaschart.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for answers in sorted((EXAMPLES / "answers").glob("*.json")):
        instrument = answers.stem
        cases.append((f"score-{instrument}", ["score", instrument, "--answers", str(answers)]))
    for followup in sorted((EXAMPLES / "answers" / "followup").glob("*.json")):
        instrument = followup.stem
        baseline = EXAMPLES / "answers" / followup.name
        cases.append(
            (
                f"change-{instrument}",
                ["change", instrument, "--baseline", str(baseline), "--followup", str(followup)],
            )
        )
    cases.append(("screen", ["screen", "--answers", str(EXAMPLES / "screen.json")]))
    return cases


CASES = _cases()


def test_every_example_file_has_a_case() -> None:
    assert len(CASES) == len(list((EXAMPLES / "answers").rglob("*.json"))) + 1


@pytest.mark.parametrize(("name", "argv"), CASES, ids=[name for name, _ in CASES])
def test_the_json_is_byte_identical(
    name: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)
    out = capsys.readouterr().out
    golden = GOLDEN / f"{name}.out"
    if os.environ.get("ATLASCHART_UPDATE_GOLDEN") == "1":
        golden.write_text(f"// exit {code}\n{out}", encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == f"// exit {code}\n{out}"
