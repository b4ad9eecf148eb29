"""``atlaschart posture``: the JSON contract and exit codes of docs/cli.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from atlaschart.cli import main
from atlaschart.imaging.pose import pose_model_available

needs_model = pytest.mark.skipif(not pose_model_available(), reason="mediapipe is not installed")


@pytest.fixture
def astronaut_jpg(tmp_path: Path) -> Path:
    data = pytest.importorskip("skimage.data")
    path = tmp_path / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(path, quality=92)
    return path


@pytest.fixture
def blank_png(tmp_path: Path) -> Path:
    path = tmp_path / "blank.png"
    Image.fromarray(np.full((300, 200, 3), 128, np.uint8)).save(path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code = main(["posture", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else {}), err


@needs_model
def test_json_shape(astronaut_jpg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = run(capsys, str(astronaut_jpg), "--view", "anterior", "--no-tta")
    assert code == 0
    assert set(doc) == {
        "view",
        "algorithm",
        "detector",
        "image",
        "landmarks",
        "metrics",
        "uncertainty_basis",
        "sides",
    }
    assert doc["view"] == "anterior" and doc["algorithm"] == "posture.photo_metrics@2"
    assert doc["uncertainty_basis"] == {
        "meaning": "standard uncertainty (1 SD) of the difference from the true value",
        "model_points": ["pass_spread", "model_error"],
        "clinician_points": ["placement"],
        "not_covered": ["clothing", "camera_tilt", "perspective"],
    }
    assert doc["sides"]["verdict"] == "consistent"
    assert doc["sides"]["evidence"] == ["shoulders:+1", "face:toward"]
    assert doc["detector"] == "mediapipe-pose-full@0.10.21"  # one pass: no TTA suffix
    assert doc["image"] == {"width": 512, "height": 512}
    assert set(doc["landmarks"]["left_ear"]) == {"x", "y", "visibility", "source"}
    assert doc["landmarks"]["left_ear"]["source"] == "model"
    assert doc["landmarks"]["left_shoulder"]["x"] > doc["landmarks"]["right_shoulder"]["x"]
    shoulder = doc["metrics"]["shoulder_tilt_deg"]
    assert set(shoulder) == {"value", "unit", "uncertainty", "reason"}
    assert shoulder["unit"] == "deg" and isinstance(shoulder["value"], float)
    assert doc["metrics"]["hip_tilt_deg"]["value"] is None
    assert "hip" in doc["metrics"]["hip_tilt_deg"]["reason"]


@needs_model
def test_front_photo_as_posterior_stops_with_a_message(
    astronaut_jpg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, err = run(capsys, str(astronaut_jpg), "--view", "posterior", "--no-tta")
    assert code == 0
    assert doc["sides"]["verdict"] == "wrong_view"
    assert doc["sides"]["suggested_view"] == "anterior"
    assert all(m["value"] is None for m in doc["metrics"].values())
    assert doc["metrics"]["shoulder_tilt_deg"]["reason"] == (
        "this looks like a front view; choose anterior"
    )
    assert "this looks like a front view; choose anterior" in err


@needs_model
def test_model_error_fraction_zero_leaves_the_pass_spread(
    astronaut_jpg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, default, _ = run(capsys, str(astronaut_jpg), "--view", "anterior", "--no-tta")
    _, spread, _ = run(
        capsys,
        str(astronaut_jpg),
        "--view",
        "anterior",
        "--no-tta",
        "--model-error-fraction",
        "0",
    )
    assert spread["uncertainty_basis"]["model_points"] == ["pass_spread"]
    wide = default["metrics"]["shoulder_tilt_deg"]["uncertainty"]
    narrow = spread["metrics"]["shoulder_tilt_deg"]["uncertainty"]
    assert narrow < wide


def test_model_error_fraction_out_of_range_is_a_usage_error(
    blank_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["posture", str(blank_png), "--view", "anterior", "--model-error-fraction", "nan"])
    assert code == 2
    assert "--model-error-fraction" in capsys.readouterr().err


def test_points_by_hand_drive_the_metrics(
    blank_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Patient's left shoulder (image right, anterior) 10 px higher over 100 px: atan(0.1)
    code, doc, _ = run(
        capsys,
        str(blank_png),
        "--view",
        "anterior",
        "--point",
        "left_shoulder=150,90",
        "--point",
        "right_shoulder=50,100",
    )
    assert code == 0
    assert doc["landmarks"]["left_shoulder"] == {
        "x": 150.0,
        "y": 90.0,
        "visibility": 1.0,
        "source": "clinician",
    }
    assert doc["metrics"]["shoulder_tilt_deg"]["value"] == pytest.approx(5.711, abs=1e-3)
    assert doc["metrics"]["hip_tilt_deg"]["value"] is None


def test_calibration_gives_mm(blank_png: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 100 px = 50 mm. Eye midpoint 110, shoulder midpoint 100: +10 px = +5 mm toward the left.
    code, doc, _ = run(
        capsys,
        str(blank_png),
        "--view",
        "anterior",
        "--calibration",
        "0,0,100,0=50",
        "--point",
        "left_eye=120,40",
        "--point",
        "right_eye=100,40",
        "--point",
        "left_shoulder=160,100",
        "--point",
        "right_shoulder=40,100",
    )
    assert code == 0
    assert doc["metrics"]["lateral_head_shift_mm"]["value"] == pytest.approx(5.0)
    assert doc["metrics"]["lateral_head_shift_pct"]["value"] == pytest.approx(8.333, abs=1e-3)


@needs_model
def test_no_person_exits_0_with_reasons(
    blank_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, _ = run(capsys, str(blank_png), "--view", "left")
    assert code == 0
    assert doc["landmarks"] == {}
    for metric in doc["metrics"].values():
        assert metric["value"] is None and metric["reason"]
    assert doc["metrics"]["ear_shoulder_angle_deg"]["reason"].startswith("no person found")


@needs_model
def test_annotate_writes_a_png(
    astronaut_jpg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "annotated.png"
    code, _, _ = run(
        capsys, str(astronaut_jpg), "--view", "anterior", "--no-tta", "--annotate", str(out)
    )
    assert code == 0
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (512, 512)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--point", "spleen=1,2"], "unknown landmark name 'spleen'", id="bad-name"),
        pytest.param(["--point", "nose=1"], "expected 2 comma-separated numbers", id="bad-xy"),
        pytest.param(["--point", "nose"], "expected NAME=X,Y", id="no-equals"),
        pytest.param(["--point", "nose=1,2", "--point", "nose=3,4"], "given once", id="twice"),
        pytest.param(["--calibration", "0,0,0,0=10"], "1 pixel apart", id="bad-calibration"),
    ],
)
def test_malformed_options_exit_2(
    blank_png: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["posture", str(blank_png), "--view", "anterior", *args])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"hello", "not a supported image", id="text"),
        pytest.param(None, "cannot read", id="missing"),
    ],
)
def test_unreadable_or_unsupported_image_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "photo.jpg"
    if content is not None:
        path.write_bytes(content)
    code = main(["posture", str(path), "--view", "anterior"])
    _, err = capsys.readouterr()
    assert code == 2 and message in err


def test_gif_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "anim.gif"
    Image.new("RGB", (10, 10)).save(path, format="GIF")
    assert main(["posture", str(path), "--view", "anterior"]) == 2
    assert "JPEG, PNG or WebP" in capsys.readouterr().err


def test_real_subprocess(blank_png: Path) -> None:
    exe = Path(sys.executable).with_name("atlaschart")
    done = subprocess.run(
        [
            str(exe),
            "posture",
            str(blank_png),
            "--view",
            "posterior",
            "--no-tta",
            "--point",
            "left_shoulder=50,90",
            "--point",
            "right_shoulder=150,100",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    # posterior: patient's left on the image left, 10 px higher over 100 px: +5.711°
    assert doc["metrics"]["shoulder_tilt_deg"]["value"] == pytest.approx(5.711, abs=1e-3)
    bad = subprocess.run(
        [str(exe), "posture", "/nonexistent.jpg", "--view", "anterior"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
