"""CT/CBCT volumes from slice series or enhanced multi-frame images, in patient (LPS) mm."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydicom import Dataset

from atlaschart.imaging.dicom.errors import NoPixelDataError, SeriesError
from atlaschart.imaging.dicom.reading import _floats, _get, pixels, read


@dataclass(frozen=True)
class Volume:
    """A CT/CBCT volume. ``voxels[k, row, col]`` in modality units (HU for CT: stored × slope +
    intercept); ``spacing_mm`` = (slice step, row spacing, column spacing); ``origin_mm`` the
    patient position of voxel (0, 0, 0); ``row_dir``/``col_dir``/``normal`` unit vectors (LPS)."""

    voxels: np.ndarray
    spacing_mm: tuple[float, float, float]
    origin_mm: tuple[float, float, float]
    row_dir: tuple[float, float, float]
    col_dir: tuple[float, float, float]
    normal: tuple[float, float, float]
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.voxels.ndim != 3:
            raise ValueError("voxels must be 3-D")
        if not all(s > 0 and math.isfinite(s) for s in self.spacing_mm):
            raise ValueError("voxel spacing must be positive")

    def voxel_to_patient_mm(self, k: float, row: float, col: float) -> tuple[float, float, float]:
        """Patient (LPS) mm of a voxel index; the 3-D landmark frame of the CBCT viewer."""
        o, r, c, n = (
            np.array(v) for v in (self.origin_mm, self.row_dir, self.col_dir, self.normal)
        )
        sz, sy, sx = self.spacing_mm
        p = o + r * col * sx + c * row * sy + n * k * sz
        return (float(p[0]), float(p[1]), float(p[2]))


@dataclass(frozen=True)
class _SliceGeom:
    position: np.ndarray
    rows: int
    cols: int
    spacing: tuple[float, float]
    orientation: tuple[float, ...]


def _geometry(ds: Dataset, label: str) -> _SliceGeom:
    ipp = _floats(_get(ds, "ImagePositionPatient"))
    iop = _floats(_get(ds, "ImageOrientationPatient"))
    ps = _floats(_get(ds, "PixelSpacing"))
    if ipp is None or len(ipp) != 3 or iop is None or len(iop) != 6 or ps is None or len(ps) != 2:
        raise SeriesError(
            "a volume slice needs ImagePositionPatient, ImageOrientationPatient and PixelSpacing",
            source=label,
        )
    return _SliceGeom(
        np.array(ipp),
        int(_get(ds, "Rows", 0)),
        int(_get(ds, "Columns", 0)),
        (ps[0], ps[1]),
        tuple(iop),
    )


def _directions(iop: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    row = np.array(iop[:3], dtype=np.float64)
    col = np.array(iop[3:], dtype=np.float64)
    if abs(np.linalg.norm(row) - 1) > 1e-3 or abs(np.linalg.norm(col) - 1) > 1e-3:
        raise SeriesError("ImageOrientationPatient is not made of unit vectors")
    if abs(float(row @ col)) > 1e-3:
        raise SeriesError("ImageOrientationPatient row and column are not perpendicular")
    normal = np.cross(row, col)
    return row, col, normal / np.linalg.norm(normal)


def _slice_steps(positions: np.ndarray, normal: np.ndarray) -> tuple[np.ndarray, float, list[str]]:
    """Order along the normal, the median step, and warnings; refuses duplicates and gaps."""
    dist = positions @ normal
    order = np.argsort(dist, kind="stable")
    warnings: list[str] = []
    if len(order) == 1:
        return order, 0.0, warnings
    steps = np.diff(dist[order])
    if np.any(steps < 1e-4):
        raise SeriesError("two slices share the same position")
    step = float(np.median(steps))
    if np.any(np.abs(steps - step) > max(0.01 * step, 1e-3)):
        if np.any(np.abs(steps - step) > 0.1 * step):
            raise SeriesError("slice spacing is irregular (missing or extra slices?)")
        warnings.append("slice-spacing-varies")
    return order, step, warnings


def _output_dtype(headers: Sequence[Dataset]) -> tuple[np.dtype[Any], list[tuple[float, float]]]:
    """int16 when every slice has slope 1, an integer intercept and the rescaled range fits;
    otherwise float32. Keeping int16 halves the memory of a CBCT volume."""
    rescale = []
    fits = True
    for ds in headers:
        slope = float(_get(ds, "RescaleSlope", 1.0))
        intercept = float(_get(ds, "RescaleIntercept", 0.0))
        rescale.append((slope, intercept))
        bits = int(_get(ds, "BitsStored", 16))
        signed = int(_get(ds, "PixelRepresentation", 0)) == 1
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        if (
            slope != 1.0
            or intercept != int(intercept)
            or not (lo + intercept >= -32768 and hi + intercept <= 32767)
        ):
            fits = False
    return (np.dtype(np.int16) if fits else np.dtype(np.float32)), rescale


def _fill(out: np.ndarray, k: int, raw: np.ndarray, slope: float, intercept: float) -> None:
    if out.dtype == np.int16:
        # The dtype check guaranteed stored + intercept fits int16, so copy then shift in place.
        out[k] = raw
        if intercept:
            out[k] += np.int16(intercept)
    else:
        out[k] = raw.astype(np.float32) * np.float32(slope) + np.float32(intercept)


#: Where a volume's voxels are written: ``allocate(shape, dtype)`` returns a writable array, by
#: default ``np.empty``; a caller may hand out a memory-mapped file (``np.lib.format.open_memmap``)
#: so the volume is built straight onto disk and never held on the heap.
Allocate = Callable[[tuple[int, int, int], "np.dtype[Any]"], np.ndarray]


def volume_from_files(paths: Sequence[str | Path], *, allocate: Allocate | None = None) -> Volume:
    """Build a volume from a slice series on disk, reading one file at a time so the peak memory
    stays near the size of the volume (headers first, then each slice straight into place), or
    near one slice when ``allocate`` hands out a memory-mapped file."""
    if not paths:
        raise SeriesError("no slices")
    headers: list[Dataset] = []
    for p in paths:
        ds = read(p)
        if "PixelData" not in ds:
            raise NoPixelDataError("slice without pixel data", source=str(p))
        headers.append(slim(ds, GEOMETRY_KEYWORDS))  # no pixels, no private or text elements
        del ds
    return _assemble(
        headers,
        lambda i: pixels(read(paths[i]), source=str(paths[i])),
        [str(p) for p in paths],
        allocate or _empty,
    )


def _empty(shape: tuple[int, int, int], dtype: np.dtype[Any]) -> np.ndarray:
    return np.empty(shape, dtype=dtype)


#: What building a volume reads from each slice's header.
GEOMETRY_KEYWORDS = (
    "SOPInstanceUID",
    "ImagePositionPatient",
    "ImageOrientationPatient",
    "PixelSpacing",
    "Rows",
    "Columns",
    "RescaleSlope",
    "RescaleIntercept",
    "BitsStored",
    "PixelRepresentation",
    "SliceThickness",
)


def slim(ds: Dataset, keywords: Sequence[str]) -> Dataset:
    """A copy of only these attributes of ``ds`` (a CT header holds hundreds of elements, about
    100 KB of Python objects: as much as a small slice's pixels, so a series' headers must not
    all be kept whole)."""
    out = Dataset()
    for keyword in keywords:
        if keyword in ds:
            out[keyword] = ds[keyword]
    return out


def volume_from_datasets(datasets: Sequence[Dataset]) -> Volume:
    """Build a volume from in-memory slices (e.g. a series read from a zip), or from one enhanced
    multi-frame dataset (CT/CBCT with per-frame functional groups)."""
    if len(datasets) == 1 and "PerFrameFunctionalGroupsSequence" in datasets[0]:
        return volume_from_enhanced(datasets[0])
    if not datasets:
        raise SeriesError("no slices")
    labels = [str(_get(d, "SOPInstanceUID", i)) for i, d in enumerate(datasets)]
    return _assemble(
        list(datasets), lambda i: pixels(datasets[i], source=labels[i]), labels, _empty
    )


def _assemble(
    headers: Sequence[Dataset], load: Any, labels: Sequence[str], allocate: Allocate
) -> Volume:
    geoms = [_geometry(ds, labels[i]) for i, ds in enumerate(headers)]
    g0 = geoms[0]
    for g, label in zip(geoms, labels, strict=True):
        if (g.rows, g.cols) != (g0.rows, g0.cols):
            raise SeriesError("slices differ in size", source=label)
        if not np.allclose(g.orientation, g0.orientation, atol=1e-4):
            raise SeriesError("slices differ in orientation", source=label)
        if not np.allclose(g.spacing, g0.spacing, rtol=1e-4):
            raise SeriesError("slices differ in pixel spacing", source=label)
    row, col, normal = _directions(g0.orientation)
    order, step, warnings = _slice_steps(np.array([g.position for g in geoms]), normal)
    if len(order) == 1:
        thickness = _get(headers[0], "SliceThickness")
        step = float(thickness) if thickness else 1.0
        warnings.append("single-slice")
    dtype, rescale = _output_dtype(headers)
    out = allocate((len(order), g0.rows, g0.cols), dtype)
    for k, i in enumerate(order):
        raw = load(int(i))
        if raw.shape != (g0.rows, g0.cols):
            raise SeriesError(f"slice pixel array has shape {raw.shape}", source=labels[int(i)])
        _fill(out, k, raw, *rescale[int(i)])
        del raw
    origin = geoms[int(order[0])].position
    return Volume(
        out,
        (step, g0.spacing[0], g0.spacing[1]),
        _t3(origin),
        _t3(row),
        _t3(col),
        _t3(normal),
        tuple(warnings),
    )


def _t3(v: np.ndarray) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def volume_from_enhanced(ds: Dataset) -> Volume:
    """Volume from an enhanced multi-frame image: PixelMeasures and PlaneOrientation from the
    shared (or first per-frame) functional group, PlanePosition per frame (PS3.3 C.7.6.16)."""
    frames_fg = ds.PerFrameFunctionalGroupsSequence
    shared = ds.get("SharedFunctionalGroupsSequence")
    shared_fg = shared[0] if shared else Dataset()

    def find(fg: Dataset, seq: str, keyword: str) -> Any:
        for source in (fg, shared_fg):
            if seq in source and source[seq].value and keyword in source[seq].value[0]:
                return source[seq].value[0].get(keyword)
        raise SeriesError(f"enhanced image lacks {seq} / {keyword}")

    n = len(frames_fg)
    spacing = _floats(find(frames_fg[0], "PixelMeasuresSequence", "PixelSpacing")) or []
    iop = _floats(find(frames_fg[0], "PlaneOrientationSequence", "ImageOrientationPatient")) or []
    positions = np.array(
        [_floats(find(fg, "PlanePositionSequence", "ImagePositionPatient")) for fg in frames_fg]
    )
    if len(spacing) != 2 or len(iop) != 6 or positions.shape != (n, 3):
        raise SeriesError("enhanced image has malformed plane geometry")
    row, col, normal = _directions(iop)
    order, step, warnings = _slice_steps(positions, normal)
    if n == 1:
        step = 1.0
        warnings.append("single-slice")
    raw = pixels(ds)
    if raw.ndim == 2:
        raw = raw[np.newaxis]
    if raw.shape[0] != n:
        raise SeriesError(f"{raw.shape[0]} frames of pixels for {n} functional groups")
    slope, intercept = 1.0, 0.0
    for fg in (frames_fg[0], shared_fg):
        if "PixelValueTransformationSequence" in fg:
            t = fg.PixelValueTransformationSequence[0]
            slope = float(t.get("RescaleSlope", 1.0))
            intercept = float(t.get("RescaleIntercept", 0.0))
            break
    ordered = raw[order]
    voxels = (
        ordered.astype(np.int16)
        if slope == 1.0 and intercept == 0.0 and ordered.dtype in (np.int16, np.uint8, np.int8)
        else (ordered.astype(np.float32) * np.float32(slope) + np.float32(intercept))
    )
    return Volume(
        voxels,
        (step, spacing[0], spacing[1]),
        _t3(positions[order[0]]),
        _t3(row),
        _t3(col),
        _t3(normal),
        tuple(warnings),
    )
