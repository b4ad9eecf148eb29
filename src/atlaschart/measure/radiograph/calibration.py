"""Pixel → millimetre calibration for projection radiographs and CT/CBCT slices.

Frame: image pixels, x = column index to the right, y = row index down, (0, 0) at the centre of
the top-left pixel. Spacing is given as DICOM gives it: ``[row spacing, column spacing]`` in mm,
i.e. the vertical distance between adjacent rows first (DICOM PS3.3 §10.7.1.3).

Which spacing (DICOM PS3.3 C.8.11.7, C.7.6.2.1.1, 10.7.1.3):

* ``PixelSpacing`` (0028,0030) is the spacing *in the patient* (or a calibrated plane). When it is
  present it is used as is, and no magnification correction is applied on top, because the
  modality has already done it. (CT and CBCT slices are always in patient space.)
* ``ImagerPixelSpacing`` (0018,1164) is the spacing at the *detector* front plane. Objects in the
  patient are magnified by the beam divergence, so distances are divided by the magnification
  factor ``M = SID / SOD`` = DistanceSourceToDetector (0018,1110) / DistanceSourceToPatient
  (0018,1111), or by EstimatedRadiographicMagnificationFactor (0018,1114) when the distances are
  absent. Without either, the detector-plane value is used and a warning says so.
* A film scan or an image without spacing needs a manual calibration (a marker of known length).

Angles are unaffected by isotropic scaling but *are* affected by unequal row/column spacing, so
the analysis converts to mm before measuring angles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

SpacingSource = Literal["PixelSpacing", "ImagerPixelSpacing", "manual", "none"]
SPACING_SOURCES: tuple[str, ...] = ("PixelSpacing", "ImagerPixelSpacing", "manual", "none")


def _positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


@dataclass(frozen=True)
class Calibration:
    """How image pixels map to millimetres in the patient plane.

    ``row_spacing_mm`` / ``col_spacing_mm`` are the spacings *as recorded by the source*;
    ``magnification`` (≥ 0, 1.0 = none) divides them. ``source`` says where they came from and is
    shown with every length. With ``source == "none"`` lengths stay in pixels.
    """

    row_spacing_mm: float
    col_spacing_mm: float
    source: SpacingSource
    magnification: float = 1.0
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _positive("row_spacing_mm", self.row_spacing_mm)
        _positive("col_spacing_mm", self.col_spacing_mm)
        _positive("magnification", self.magnification)
        if self.source not in SPACING_SOURCES:
            raise ValueError(f"unknown spacing source {self.source!r}")
        if self.source == "none" and (self.row_spacing_mm, self.col_spacing_mm) != (1.0, 1.0):
            raise ValueError("an uncalibrated image has spacing 1 px")

    @property
    def calibrated(self) -> bool:
        return self.source != "none"

    @property
    def length_unit(self) -> str:
        """``"mm"`` when calibrated, ``"px"`` otherwise."""
        return "mm" if self.calibrated else "px"

    def to_mm(self, x_px: float, y_px: float) -> tuple[float, float]:
        """Image pixel (x right, y down) → (x, y) in mm in the patient plane, still y down:
        ``x · col / M``, ``y · row / M``."""
        return (
            x_px * self.col_spacing_mm / self.magnification,
            y_px * self.row_spacing_mm / self.magnification,
        )

    def distance_mm(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Distance between two image pixels in mm (or px when uncalibrated)."""
        ax, ay = self.to_mm(*a)
        bx, by = self.to_mm(*b)
        return math.hypot(bx - ax, by - ay)


def magnification_factor(sid_mm: float | None, sod_mm: float | None) -> float | None:
    """``SID / SOD`` (source-to-image over source-to-object distance), or None if either is absent.

    Raises ValueError when SOD ≥ SID would make the object sit behind the detector.
    """
    if sid_mm is None or sod_mm is None:
        return None
    _positive("SID", sid_mm)
    _positive("SOD", sod_mm)
    if sod_mm > sid_mm:
        raise ValueError("source-to-object distance exceeds source-to-detector distance")
    return sid_mm / sod_mm


def _pair(name: str, value: Sequence[float]) -> tuple[float, float]:
    if len(value) != 2:
        raise ValueError(f"{name} must be [row, column], got {value!r}")
    row, col = float(value[0]), float(value[1])
    _positive(name, row)
    _positive(name, col)
    return row, col


def calibration_from_dicom(
    pixel_spacing: Sequence[float] | None,
    imager_pixel_spacing: Sequence[float] | None,
    sid_mm: float | None = None,
    sod_mm: float | None = None,
    estimated_magnification: float | None = None,
) -> Calibration:
    """Choose the spacing and magnification for one image from its DICOM attributes.

    Rules (module docstring): PixelSpacing wins, used without magnification; otherwise
    ImagerPixelSpacing divided by SID/SOD, else by EstimatedRadiographicMagnificationFactor,
    else undivided with warning ``detector-plane-spacing``; with neither, an uncalibrated
    result (lengths in px) with warning ``no-pixel-spacing``.
    """
    if pixel_spacing is not None:
        row, col = _pair("PixelSpacing", pixel_spacing)
        warnings: tuple[str, ...] = ()
        if imager_pixel_spacing is not None:
            irow, icol = _pair("ImagerPixelSpacing", imager_pixel_spacing)
            if math.isclose(irow, row) and math.isclose(icol, col):
                # Some systems copy the detector value into PixelSpacing; it is then not corrected.
                warnings = ("pixel-spacing-equals-imager-spacing",)
        return Calibration(row, col, "PixelSpacing", 1.0, warnings)
    if imager_pixel_spacing is not None:
        row, col = _pair("ImagerPixelSpacing", imager_pixel_spacing)
        mag = magnification_factor(sid_mm, sod_mm)
        if mag is None and estimated_magnification is not None:
            _positive("EstimatedRadiographicMagnificationFactor", estimated_magnification)
            mag = float(estimated_magnification)
        if mag is None:
            return Calibration(row, col, "ImagerPixelSpacing", 1.0, ("detector-plane-spacing",))
        return Calibration(row, col, "ImagerPixelSpacing", mag)
    return Calibration(1.0, 1.0, "none", 1.0, ("no-pixel-spacing",))


def manual_calibration(
    a_px: tuple[float, float], b_px: tuple[float, float], known_length_mm: float
) -> Calibration:
    """Isotropic calibration from a marker of known length between two image pixels (film scans).

    Spacing = known length / pixel distance, same for rows and columns; magnification is 1 because
    the marker sits in the plane being measured.
    """
    _positive("known_length_mm", known_length_mm)
    d = math.hypot(b_px[0] - a_px[0], b_px[1] - a_px[1])
    if not d > 0:
        raise ValueError("calibration marker ends coincide")
    s = known_length_mm / d
    return Calibration(s, s, "manual", 1.0)
