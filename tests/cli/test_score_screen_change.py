"""``atlaschart score``, ``screen`` and ``change``: the JSON contract and exit codes of docs/cli.md.

Expected scores of the example files are computed by hand from each instrument's published rule
(comments); the examples are the ones docs/instruments.md points to."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from atlaschart.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCORE_KEYS = {"instrument", "version", "scorable", "score", "percent", "band", "answered", "reason"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


@pytest.mark.parametrize(
    ("instrument", "score", "percent", "band", "answered"),
    [
        pytest.param("nprs", 6, None, None, 1, id="nprs-single-item-6"),
        pytest.param("groc", 4, None, None, 1, id="groc-plus4"),
        pytest.param("psfs", 4, None, None, 3, id="psfs-(3+4+5)/3"),
        # 1+1+0+0+1+1+0+0 + q9 "very much"=1 -> total 5; subscale q5..q9 = 3 -> medium (Keele)
        pytest.param("start-back", 5, None, "medium", 9, id="sbst-5-sub3-medium"),
        # 18 over 9 answered (q8 na): 18/45 = 40%, /50 = 20 -> moderate (Vernon)
        pytest.param("ndi", 20, 40, "moderate", 9, id="ndi-18of45"),
        # 16 over 9 answered (q8 na): 16/45 = 35.56% -> moderate (Fairbank)
        pytest.param("odi", 35.56, 35.56, "moderate", 9, id="odi-16of45"),
        pytest.param("rmdq", 6, None, None, 24, id="rmdq-six-ticks"),
        pytest.param("bournemouth-neck", 29, None, None, 7, id="bq-6+5+4+3+2+5+4"),
        pytest.param("bournemouth-back", 36, None, None, 7, id="bq-7+6+5+4+3+6+5"),
        # indexes 2,3,2,1,2,3 -> 10+11+10+8+10+11 = 60 -> severe (>= 60)
        pytest.param("hit-6", 60, None, "severe", 6, id="hit6-60"),
        # 4 yes (16) + 10 sometimes (20) + 11 no = 36
        pytest.param("dhi", 36, None, None, 25, id="dhi-16+20"),
    ],
)
def test_score_example_files(capsys, instrument, score, percent, band, answered):
    path = EXAMPLES / "answers" / f"{instrument}.json"
    code, out, err = _run(capsys, "score", instrument, "--answers", str(path))
    assert (code, err) == (0, "")
    assert set(out) == SCORE_KEYS
    assert out["instrument"] == instrument
    assert out["scorable"] is True and out["reason"] is None
    assert out["score"] == pytest.approx(score)
    assert out["percent"] == (None if percent is None else pytest.approx(percent))
    assert (out["band"], out["answered"]) == (band, answered)


def test_every_instrument_has_an_example():
    from atlaschart.measure.instruments import INSTRUMENTS

    assert {p.stem for p in (EXAMPLES / "answers").glob("*.json")} == set(INSTRUMENTS)


def test_score_reads_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"answers": {"q1": 3, "q2": null}}'))
    code, out, _ = _run(capsys, "score", "hit-6", "--answers", "-")
    # HIT-6: any missing item = not scorable, and that is a clean exit 0
    assert code == 0
    assert out["scorable"] is False and out["score"] is None and out["answered"] == 1
    assert "q2" in out["reason"]


@pytest.mark.parametrize(
    ("argv_instrument", "content", "message"),
    [
        pytest.param("sf-36", '{"answers": {}}', "unknown instrument 'sf-36'", id="unknown"),
        pytest.param("ndi", '{"answers": {"q1": 6}}', "q1: 6 is not a valid score", id="range"),
        pytest.param("ndi", '{"answers": {"q1": "x"}}', "q1: expected a number", id="type"),
        pytest.param("ndi", '{"answers": ', "bad JSON", id="bad-json"),
        pytest.param("ndi", '{"q1": 3}', 'expected a JSON object with "answers"', id="no-answers"),
        pytest.param("ndi", '{"answers": {}, "x": 1}', "unknown field 'x'", id="extra-key"),
        pytest.param(
            "odi", '{"version": "2.0", "answers": {}}', "version '2.0'", id="version-mismatch"
        ),
        pytest.param("odi", '{"instrument": "ndi", "answers": {}}', "for 'ndi'", id="wrong-instr"),
        pytest.param("odi", '{"language": "fr", "answers": {}}', "language must be", id="lang"),
    ],
)
def test_score_malformed_input_exits_2(capsys, tmp_path, argv_instrument, content, message):
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, "score", argv_instrument, "--answers", str(path))
    assert code == 2 and out is None
    assert message in err
    assert err.count("\n") == 1  # one line on stderr


def test_score_missing_file_exits_2(capsys, tmp_path):
    code, _, err = _run(capsys, "score", "ndi", "--answers", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read" in err


# --- screen -----------------------------------------------------------------------------------


def test_screen_example(capsys):
    code, out, err = _run(capsys, "screen", "--answers", str(EXAMPLES / "screen.json"))
    assert (code, err) == (0, "")
    assert set(out) == {"rules_version", "level", "findings"}
    # two V6 risk factors without acute onset -> W each; G1 -> W (docs/safety.md)
    assert out["level"] == "W"
    assert [f["rule"] for f in out["findings"]] == ["V6:hypertension", "V6:smoking", "G1"]
    assert all(set(f) == {"rule", "level", "reason"} for f in out["findings"])


def test_screen_empty_answers_fail_closed(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"answers": {}}'))
    code, out, _ = _run(capsys, "screen", "--answers", "-")
    assert code == 0
    assert out["level"] == "B-routine"
    assert len(out["findings"]) == 28
    assert out["findings"][0] == {
        "rule": "incomplete:V1",
        "level": "B-routine",
        "reason": "V1 not answered: the screen cannot rule this out",
    }


def test_screen_bp_threshold_flag(capsys, tmp_path):
    data = json.loads((EXAMPLES / "screen.json").read_text(encoding="utf-8"))
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    # example BP 142/88: below 180/110, but at or above a local 140 systolic policy -> V7 H
    code, out, _ = _run(capsys, "screen", "--answers", str(path), "--bp-systolic", "140")
    assert code == 0 and out["level"] == "H"
    assert {"rule": "V7", "level": "H"}.items() <= out["findings"][0].items()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param('{"answers": {"V2": "yes"}}', "V2: expected true or false", id="type"),
        pytest.param('{"answers": {"Q1": true}}', "unknown screening item 'Q1'", id="unknown"),
        pytest.param('{"answers": []}', "answers must be an object", id="list"),
        pytest.param('{"rules_version": "0", "answers": {}}', "rules version '0'", id="version"),
        pytest.param("not json", "bad JSON", id="bad-json"),
    ],
)
def test_screen_malformed_exits_2(capsys, tmp_path, content, message):
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, "screen", "--answers", str(path))
    assert code == 2 and out is None and message in err


# --- change -----------------------------------------------------------------------------------


def test_change_example(capsys):
    code, out, _ = _run(
        capsys,
        "change",
        "ndi",
        "--baseline",
        str(EXAMPLES / "answers" / "ndi.json"),
        "--followup",
        str(EXAMPLES / "answers" / "followup" / "ndi.json"),
    )
    assert code == 0
    # baseline 20/50; follow-up 7 over 9 answered = 7 x 10 / 9 = 7.78; change 12.22 >= 5 (Vernon)
    # and 12.22 / 20 = 61.1% >= 50% -> substantially improved
    assert out["category"] == "substantially-improved"
    assert out["change"] == pytest.approx(12.22)
    assert out["change_percent"] == pytest.approx(61.1)
    assert out["baseline"]["score"] == 20 and out["followup"]["score"] == pytest.approx(7.78)


def test_change_thresholds_from_flags(capsys, tmp_path, monkeypatch):
    baseline = tmp_path / "b.json"
    baseline.write_text('{"answers": {"q1": 8}}', encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"answers": {"q1": 6}}'))
    argv = ["change", "nprs", "--baseline", str(baseline), "--followup", "-"]
    # NPRS 8 -> 6: 2 points but 25% < 30% -> unchanged by default (Ostelo 2008) ...
    code, out, _ = _run(capsys, *argv)
    assert (code, out["category"]) == (0, "unchanged")
    # ... improved when the percentage criterion is switched off
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"answers": {"q1": 6}}'))
    code, out, _ = _run(capsys, *argv, "--improved-percent", "0")
    assert (code, out["category"]) == (0, "improved")
    assert out["thresholds"]["improved_percent"] == 0


def test_change_not_evaluable_is_exit_0(capsys, tmp_path):
    b, f = tmp_path / "b.json", tmp_path / "f.json"
    b.write_text('{"answers": {"q1": 1}}', encoding="utf-8")
    f.write_text('{"answers": {"q1": 0}}', encoding="utf-8")
    code, out, _ = _run(capsys, "change", "nprs", "--baseline", str(b), "--followup", str(f))
    # baseline 1 leaves 1 point of room, less than the MCID of 2 (not evaluable)
    assert code == 0 and out["category"] == "not-evaluable" and out["reason"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["groc"], "not an outcome measure", id="groc"),
        pytest.param(["start-back"], "not an outcome measure", id="sbst"),
        pytest.param(["nprs", "--baseline", "-", "--followup", "-"], "only one of", id="stdin2"),
    ],
)
def test_change_usage_errors(capsys, argv, message):
    full = ["change", *argv]
    if "--baseline" not in argv:
        full += ["--baseline", "b.json", "--followup", "f.json"]
    code, _, err = _run(capsys, *full)
    assert code == 2 and message in err


def test_real_subprocess():
    exe = Path(sys.executable).with_name("atlaschart")
    done = subprocess.run(
        [str(exe), "score", "ndi", "--answers", "-"],
        input=json.dumps({"answers": {f"q{n}": 2 for n in range(1, 11)}}),
        capture_output=True,
        text=True,
        check=False,
    )
    # 10 x 2 = 20 of 50 -> 40% -> moderate (Vernon)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 20
    bad = subprocess.run(
        [str(exe), "screen", "--answers", "-"],
        input="{",
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.startswith("atlaschart screen:")
