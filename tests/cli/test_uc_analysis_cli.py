"""``atlaschart uc-analysis``: the CLI contract of docs/radiograph.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from atlaschart.cli import main

NASIUM = {
    "view": "nasium",
    "pixel_spacing_mm": [0.1, 0.1],
    "magnification": 1.0,
    "points": {
        "apl_right": [100, 500],
        "apl_left": [300, 490],
        "skull_pairs": [[[50, 100], [350, 100]], [[60, 200], [340, 200]]],
    },
}


def run_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, data: Any) -> tuple[int, Any, str]:
    path = tmp_path / "marks.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    code = main(["uc-analysis", "--landmarks", str(path)])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def test_nasium_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, tmp_path, NASIUM)
    assert code == 0
    # The contract only grows: "errors" (each value's 1 SD error) was added later.
    assert set(out) == {"view", "algorithm", "values", "warnings", "errors"}
    assert set(out["errors"]) <= set(out["values"])
    assert out["view"] == "nasium"
    # a = (200, 10)·0.1 mm y-up -> atan(0.05) = 2.86°, left end higher -> left.
    assert out["values"]["atlas_laterality_deg"] == {"value": 2.86, "unit": "deg", "side": "left"}
    assert out["values"]["head_tilt_deg"] == {"value": 0.0, "unit": "deg", "side": None}
    assert out["warnings"] == ["no-plumb-reference"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param("{not json", "bad JSON", id="bad-json"),
        pytest.param({**NASIUM, "points": {"apl_right": [1, 2]}}, "missing point", id="missing"),
        pytest.param(
            {**NASIUM, "points": {**NASIUM["points"], "skull_pairs": [[[0, 0], [1, 0]]]}},
            "at least 2 pairs",
            id="too-few-pairs",
        ),
        pytest.param(
            {**NASIUM, "points": {**NASIUM["points"], "apl_left": [100, 500]}},
            "coincident",
            id="coincident",
        ),
        pytest.param([1, 2], "JSON object", id="not-object"),
    ],
)
def test_malformed_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: Any, message: str
) -> None:
    code, out, err = run_cli(capsys, tmp_path, data)
    assert code == 2
    assert out is None
    assert message in err
    assert err.count("\n") == 1


def test_real_subprocess_reads_stdin() -> None:
    exe = Path(sys.executable).with_name("atlaschart")
    vertex = {
        "view": "vertex",
        "pixel_spacing_mm": [1, 1],
        "points": {
            "apl_right": [100, 300],
            "apl_left": [300, 280],
            "skull_anterior": [200, 0],
            "skull_posterior": [200, 400],
        },
    }
    proc = subprocess.run(
        [str(exe), "uc-analysis", "--landmarks", "-"],
        input=json.dumps(vertex),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    # a = (200, 20), f = (0, 1): atan(0.1) = 5.71°, left end more anterior -> left.
    rot = json.loads(proc.stdout)["values"]["atlas_rotation_deg"]
    assert rot == {"value": 5.71, "unit": "deg", "side": "left"}
