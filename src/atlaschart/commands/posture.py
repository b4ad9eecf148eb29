"""``atlaschart posture IMAGE --view V``: landmarks and posture metrics of one photo as JSON.

Contract (docs/cli.md)::

    atlaschart posture IMAGE --view anterior|posterior|left|right
        [--point NAME=X,Y ...] [--annotate OUT.png] [--calibration X1,Y1,X2,Y2=MM] [--no-tta]

prints ``{"view", "algorithm", "image": {"width", "height"}, "landmarks": {NAME: {"x", "y",
"visibility", "source"}}, "metrics": {NAME: {"value", "unit", "uncertainty", "reason"}}}`` with
MediaPipe's landmark names (patient's left/right) in image pixels (x right, y down). ``--point``
places or overrides a landmark as a clinician point. Exit 2 with one line on stderr for an
unreadable or unsupported image or a malformed option; exit 0 with null metrics and reasons when no
person is found. Without mediapipe installed, only ``--point`` landmarks are used (a note goes to
stderr).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from typing import Any

from atlaschart.commands._common import UsageError, print_json
from atlaschart.imaging.photos import PhotoError, load_photo
from atlaschart.measure.posture import (
    LANDMARK_NAMES,
    Calibration,
    Landmark,
    LandmarkSet,
    LandmarkSource,
    PostureConfig,
    PostureResult,
    SideCheck,
    View,
    compute_metrics,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "posture",
        help="posture landmarks and metrics of one photo, as JSON",
        description="Find landmarks on a posture photo and print its metrics as JSON.",
    )
    parser.add_argument("image", help="JPEG, PNG or WebP photo")
    parser.add_argument("--view", required=True, choices=[v.value for v in View])
    parser.add_argument(
        "--point",
        action="append",
        default=[],
        metavar="NAME=X,Y",
        help="place a landmark by hand (image pixels, x right, y down); repeatable",
    )
    parser.add_argument("--annotate", metavar="OUT.png", help="write the annotated photo here")
    parser.add_argument(
        "--calibration",
        metavar="X1,Y1,X2,Y2=MM",
        help="two points a known distance apart, for values in mm",
    )
    parser.add_argument(
        "--no-tta",
        dest="tta",
        action="store_false",
        help="one model pass instead of test-time augmentation (faster, less precise)",
    )
    parser.add_argument(
        "--model-error-fraction",
        type=float,
        default=PostureConfig().model_error_torso_fraction,
        metavar="F",
        help=(
            "model error per point, as a fraction of the torso length, added to the pass spread "
            "in every uncertainty (default %(default)s, from BlazePose's published PCK@0.2; "
            "0 for the pass spread alone)"
        ),
    )
    parser.set_defaults(handler=run)


def _numbers(text: str, count: int, what: str) -> list[float]:
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise UsageError(f"{what}: expected {count} comma-separated numbers, got {text!r}")
    return values


def parse_point(text: str) -> Landmark:
    """``NAME=X,Y`` -> a clinician landmark."""
    name, sep, coords = text.partition("=")
    name = name.strip()
    if not sep:
        raise UsageError(f"--point {text!r}: expected NAME=X,Y")
    if name not in LANDMARK_NAMES:
        raise UsageError(f"--point: unknown landmark name {name!r}")
    x, y = _numbers(coords, 2, f"--point {name}")
    return Landmark(name, x, y, visibility=1.0, source=LandmarkSource.CLINICIAN)


def parse_calibration(text: str) -> Calibration:
    """``X1,Y1,X2,Y2=MM`` -> a calibration."""
    coords, sep, mm = text.partition("=")
    if not sep:
        raise UsageError(f"--calibration {text!r}: expected X1,Y1,X2,Y2=MM")
    x1, y1, x2, y2 = _numbers(coords, 4, "--calibration")
    (distance,) = _numbers(mm, 1, "--calibration distance")
    try:
        return Calibration(x1, y1, x2, y2, distance)
    except ValueError as exc:
        raise UsageError(f"--calibration: {exc}") from exc


def _detect(args: argparse.Namespace, rgb: Any, view: View, size: tuple[int, int]) -> Any:
    """Model landmarks, or ``None`` (with a note on stderr) when the model is not installed."""
    from atlaschart.imaging.pose import PoseModelNotInstalled, detect_landmarks

    try:
        return detect_landmarks(rgb, view, tta=args.tta, frame_size=size)
    except PoseModelNotInstalled as exc:
        print(f"atlaschart posture: {exc.message}; using --point landmarks only", file=sys.stderr)
        return None


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


#: What each metric's ``uncertainty`` is, printed with it (docs/cli.md).
UNCERTAINTY_MEANING = "standard uncertainty (1 SD) of the difference from the true value"


def as_json(
    points: LandmarkSet,
    result: PostureResult,
    detector: str | None = None,
    *,
    config: PostureConfig | None = None,
    sides: SideCheck | None = None,
) -> dict[str, Any]:
    """The CLI's JSON document for one photo.

    ``detector`` names what placed the model landmarks (``PoseDetection.method``); ``None`` when
    the model did not run. ``config`` says what the uncertainties cover; ``sides`` is the
    model's left/right check (``None`` when the model did not run or found nobody).
    """
    covers = (config or PostureConfig()).uncertainty_covers
    return {
        "view": result.view.value,
        "algorithm": result.algorithm.label,
        "detector": detector,
        "image": {"width": points.width_px, "height": points.height_px},
        "landmarks": {
            lm.name: {
                "x": _r(lm.x_px, 2),
                "y": _r(lm.y_px, 2),
                "visibility": _r(lm.visibility),
                "source": lm.source.value,
            }
            for lm in points.landmarks
        },
        "metrics": {
            m.name: {
                "value": _r(m.value),
                "unit": m.unit,
                "uncertainty": _r(m.uncertainty),
                "reason": m.reason,
            }
            for m in result.metrics
        },
        "uncertainty_basis": {
            "meaning": UNCERTAINTY_MEANING,
            "model_points": list(covers),
            "clinician_points": ["placement"],
            "not_covered": ["clothing", "camera_tilt", "perspective"],
        },
        "sides": None
        if sides is None
        else {
            "verdict": sides.verdict.value,
            "suggested_view": sides.suggested_view.value if sides.suggested_view else None,
            "evidence": list(sides.evidence),
            "message": sides.english,
        },
    }


def run(args: argparse.Namespace) -> int:
    view = View(args.view)
    clinician = tuple(parse_point(p) for p in args.point)
    if len({p.name for p in clinician}) != len(clinician):
        raise UsageError("--point: each landmark may be given once")
    calibration = parse_calibration(args.calibration) if args.calibration else None
    fraction = args.model_error_fraction
    if not (math.isfinite(fraction) and 0 <= fraction <= 1):
        raise UsageError("--model-error-fraction: expected a number from 0 to 1")
    config = PostureConfig(model_error_torso_fraction=fraction or None)
    try:
        photo = load_photo(args.image)
    except PhotoError as exc:
        raise UsageError(f"{args.image}: {exc.message}") from exc

    size = (photo.width, photo.height)
    detection = _detect(args, photo.rgb, view, size)
    base = detection.landmarks if detection is not None else LandmarkSet(view, *size)
    try:
        points = base.with_points(clinician)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    result = compute_metrics(points, calibration=calibration, config=config)

    no_person = detection.message if detection is not None and not detection.person_found else None
    if no_person:
        # Say first why every model point is missing.
        result = dataclasses.replace(
            result,
            metrics=tuple(
                dataclasses.replace(m, reason=f"{no_person}; {m.reason}")
                if m.value is None and m.reason and "calibration" not in m.reason
                else m
                for m in result.metrics
            ),
        )
    if args.annotate:
        from atlaschart.imaging.annotate import save_annotated

        try:
            save_annotated(photo.rgb, points, result, args.annotate)
        except OSError as exc:
            raise UsageError(f"cannot write {args.annotate}: {exc.strerror or exc}") from exc
    sides = detection.sides if detection is not None else None
    if sides is not None and sides.verdict.blocks_metrics:
        # Metrics are null with the reason; say it once on stderr as well.
        print(f"atlaschart posture: {sides.english}", file=sys.stderr)
    print_json(
        as_json(
            points,
            result,
            detection.method if detection is not None else None,
            config=config,
            sides=sides,
        )
    )
    return 0
