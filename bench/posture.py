"""Posture benchmark: speed of the photo pipeline and precision of the metrics.

Run: ``.venv/bin/python bench/posture.py [--out docs/benchmarks/posture.md]`` (about 2 minutes on
2 cores; needs mediapipe and scikit-image). Photos come from installed packages only
(scikit-image ``astronaut`` and ``camera``, matplotlib ``grace_hopper``); nothing is downloaded.

Speed: per photo, decode (PNG from bytes) + inference + metrics, against raw model inference
alone on the already-decoded pixels, in the same run, on 1000x1500 photos (a shipped photo padded
to 2:3 with gray and resized).

Precision (a metamorphic check, as in pose_models.md §6): each photo is rotated by known angles
(counter-clockwise as displayed, enlarged canvas, gray padding); on an anterior photo every
frontal line angle must grow by exactly that angle. Mirroring must negate it. The deviation from
that is the error; reported with one raw pass and with test-time augmentation (TTA).
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from matplotlib import cbook
from numpy.typing import NDArray
from PIL import Image
from skimage import data

from atlaschart.imaging.photos import load_photo
from atlaschart.imaging.pose import (
    MEDIAPIPE_VERSION,
    TTA_ROTATIONS_DEG,
    _rotate,
    detect_landmarks,
    raw_inference,
)
from atlaschart.measure.posture import View, compute_metrics

LINE_METRICS = ("head_tilt_ears_deg", "head_tilt_eyes_deg", "shoulder_tilt_deg", "hip_tilt_deg")
ROTATIONS = (5.0, 10.0, -7.0, 3.0)
POSE_MAX_SIDE = 700  # JPEG draft decoding for the model (it sees 256 px)


def photos() -> dict[str, NDArray[np.uint8]]:
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        hopper = np.asarray(Image.open(f).convert("RGB"))
    camera = np.asarray(Image.fromarray(data.camera()).convert("RGB"))
    return {
        "astronaut": np.asarray(data.astronaut()),
        "grace_hopper": hopper,
        "camera": camera,
        "astronaut_1000x1500": to_1000x1500(np.asarray(data.astronaut())),
    }


def to_1000x1500(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Pad to 2:3 with gray, then resize to 1000x1500 (the size of a tablet portrait photo)."""
    h, w = rgb.shape[:2]
    target_h = max(h, round(w * 1.5))
    canvas = np.full((target_h, max(w, round(target_h / 1.5)), 3), 128, np.uint8)
    top = (canvas.shape[0] - h) // 2
    left = (canvas.shape[1] - w) // 2
    canvas[top : top + h, left : left + w] = rgb
    return np.asarray(Image.fromarray(canvas).resize((1000, 1500), Image.Resampling.BICUBIC))


def line_angles(rgb: NDArray[np.uint8], tta: bool) -> dict[str, float | None]:
    result = compute_metrics(detect_landmarks(rgb, View.ANTERIOR, tta=tta).landmarks)
    return {name: result.get(name).value for name in LINE_METRICS}


def precision(
    images: dict[str, NDArray[np.uint8]], tta: bool
) -> dict[tuple[str, str], list[float]]:
    """Absolute deviations (degrees) per (metric, check) over all photos."""
    errors: dict[tuple[str, str], list[float]] = {
        (name, check): [] for name in LINE_METRICS for check in ("rotation", "mirror")
    }
    for rgb in images.values():
        base = line_angles(rgb, tta)
        variants = [(_rotate(rgb, a)[0], a, False) for a in ROTATIONS]
        variants.append((np.ascontiguousarray(rgb[:, ::-1]), 0.0, True))
        for image, angle, mirrored in variants:
            seen = line_angles(image, tta)
            for name in LINE_METRICS:
                b, s = base[name], seen[name]
                if b is None or s is None:
                    continue  # gated (visibility < 0.8 or out of frame) in either photo
                if mirrored:
                    errors[name, "mirror"].append(abs(s + b))
                else:
                    errors[name, "rotation"].append(abs(s - b - angle))
    return errors


def encode(rgb: NDArray[np.uint8], fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format=fmt, quality=90)
    return buffer.getvalue()


def pipeline(encoded: bytes, tta: bool) -> None:
    """What the app does per photo: decode upright, find landmarks, compute metrics."""
    photo = load_photo(encoded, max_side=POSE_MAX_SIDE)
    found = detect_landmarks(
        photo.rgb, View.ANTERIOR, tta=tta, frame_size=(photo.width, photo.height)
    )
    compute_metrics(found.landmarks)


def timing(rgb: NDArray[np.uint8], repeats: int) -> dict[str, float]:
    """Median ms: raw inference on decoded pixels vs the whole pipeline, interleaved."""
    jpeg, png = encode(rgb, "JPEG"), encode(rgb, "PNG")
    raw_inference(rgb)  # warm-up: loads the graph
    times: dict[str, list[float]] = {"raw": [], "jpeg": [], "png": [], "tta": []}
    for i in range(repeats):
        for key, run in (
            ("raw", lambda: raw_inference(rgb)),
            ("jpeg", lambda: pipeline(jpeg, tta=False)),
            ("png", lambda: pipeline(png, tta=False)),
            ("tta", lambda: pipeline(jpeg, tta=True)),
        ):
            if key == "tta" and i % 4:
                continue  # 6 passes each: sample it less often
            t0 = time.perf_counter()
            run()
            times[key].append(1000 * (time.perf_counter() - t0))
    return {key: statistics.median(v) for key, v in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    images = photos()
    t = timing(images["astronaut_1000x1500"], args.repeats)
    rows = []
    for tta in (False, True):
        errors = precision(images, tta)
        for (name, check), e in errors.items():
            if e:
                method = "TTA" if tta else "raw"
                rows.append(
                    (name, check, method, len(e), statistics.median(e), statistics.fmean(e), max(e))
                )
    rows.sort()
    lines = [
        "# Posture benchmark (bench/posture.py)",
        "",
        f"mediapipe {MEDIAPIPE_VERSION} legacy pose, model_complexity=1; Python "
        f"{platform.python_version()}, {platform.machine()}, CPU only. "
        f"TTA: rotations {TTA_ROTATIONS_DEG}° each plain and mirrored "
        f"({2 * len(TTA_ROTATIONS_DEG)} passes).",
        "",
        "## Speed, 1000x1500 photo (astronaut padded to 2:3 and resized), median of "
        f"{args.repeats} runs",
        "",
        "| path | ms per photo | ratio to raw |",
        "|---|---|---|",
        f"| raw model inference alone (decoded pixels) | {t['raw']:.1f} | 1.00 |",
        f"| decode JPEG + inference + metrics, single pass | {t['jpeg']:.1f} | "
        f"{t['jpeg'] / t['raw']:.2f} |",
        f"| decode PNG + inference + metrics, single pass | {t['png']:.1f} | "
        f"{t['png'] / t['raw']:.2f} |",
        f"| decode JPEG + TTA ({2 * len(TTA_ROTATIONS_DEG)} passes) + metrics | {t['tta']:.1f} | "
        f"{t['tta'] / t['raw']:.2f} |",
        "",
        "## Precision: rotation and mirror checks",
        "",
        f"Photos: {', '.join(images)}. Rotations {ROTATIONS}° plus a mirror; deviation = "
        "|(angle on the rotated photo − angle on the original) − rotation|, or "
        "|angle on mirror + angle on original|. Pairs gated out (visibility < 0.8, out of frame) "
        "in either photo are skipped.",
        "",
        "| metric | check | method | n | median dev (°) | mean dev (°) | max dev (°) |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:.2f} |"
        for r in rows
    ]
    lines += [
        "",
        "Notes:",
        "",
        "* The TTA pass set is mirror-symmetric (each rotation plain and mirrored, ±θ both), so",
        "  the mirror check is 0 by construction; the rotation rows are the real test.",
        "* The shipped photos are portraits and half-body shots. Hips appear only in `camera`",
        "  (3/4 view, half body), where TTA does not help. No clear frontal full-body photo ships",
        "  with an installed package, so the issue's target (median ≤ 0.5° on clear frontal",
        "  full-body photos) is measured here only for the head lines; the shoulder line reaches",
        "  about 1°. Single-pass figures match pose_models.md §6 (about 2°).",
        "* Single pass: JPEG decoding uses Pillow's draft mode (`load_photo(max_side=700)`), since",
        "  the model sees 256 px; a PNG must decode at full size and costs about one inference.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
