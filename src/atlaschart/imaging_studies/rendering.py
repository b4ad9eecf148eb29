"""Pixels for the viewer and exports: PNG of a frame (window/level from query parameters), CBCT
slices from a memory-mapped volume file shared by every worker, annotated PNGs, de-identified
zips."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import zipfile
from typing import IO, Any

import numpy as np
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from atlaschart.imaging import dicom
from atlaschart.imaging_studies import storage
from atlaschart.imaging_studies.models import Instance, Series, Study


def instance_png(
    inst: Instance, *, frame: int = 0, center: float | None = None, width: float | None = None
) -> bytes:
    data = storage.read_blob(inst.blob.sha256)
    if inst.blob.kind != "dicom":
        with Image.open(io.BytesIO(data)) as img:
            grey = np.asarray(img.convert("L"))
        if center is not None and width is not None:
            grey = dicom.window_to_uint8(grey, center, width)
        return dicom.to_png(grey)
    ds = dicom.read(data)
    return dicom.image_png(ds, frame=frame, center=center, width=width)


def _series_blobs(series: Series) -> list[str]:
    return list(series.instances.order_by("id").values_list("blob__sha256", flat=True))


def _volume_key(shas: list[str]) -> str:
    return hashlib.sha256("\n".join(shas).encode()).hexdigest()


def volume(series: Series) -> dicom.Volume:
    """The series as a volume, read from its memory-mapped .npy file (built once by the import
    job, or here on first use for a series imported before there were such files). Every worker
    maps the same file, so the operating system's page cache holds one copy and no worker
    rebuilds the volume. Raises DicomError / ValueError when the series is no volume."""
    shas = _series_blobs(series)
    npy, meta = storage.volume_cache_paths(series.pk, _volume_key(shas))
    try:
        geometry = json.loads(meta.read_text(encoding="utf-8"))
        voxels = np.load(npy, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return build_volume_cache(series, shas)
    return _volume_of(voxels, geometry)


def _volume_of(voxels: np.ndarray, g: dict[str, Any]) -> dicom.Volume:
    return dicom.Volume(
        voxels,
        tuple(g["spacing_mm"]),
        tuple(g["origin_mm"]),
        tuple(g["row_dir"]),
        tuple(g["col_dir"]),
        tuple(g["normal"]),
        tuple(g["warnings"]),
    )


def build_volume_cache(series: Series, shas: list[str] | None = None) -> dicom.Volume:
    """Build the series' volume straight into its .npy file (one slice in memory at a time),
    write its geometry beside it, and remove files of earlier versions of the series. Written
    under temporary names and renamed, so a reader sees a whole file or none. Raises DicomError
    / ValueError when the slices do not form a volume (nothing is left behind then)."""
    shas = _series_blobs(series) if shas is None else shas
    if not shas:
        raise dicom.SeriesError("no slices")
    npy, meta = storage.volume_cache_paths(series.pk, _volume_key(shas))
    npy.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    tmp_npy = npy.with_name(f".{npy.stem}.{token}.npy")
    tmp_meta = meta.with_name(f".{meta.stem}.{token}.json")
    try:
        if len(shas) == 1:
            ds = dicom.read(storage.blob_path(shas[0]))
            if "PerFrameFunctionalGroupsSequence" not in ds:
                raise dicom.SeriesError("a single image is not a volume")
            built = dicom.volume_from_enhanced(ds)
            del ds
            np.save(tmp_npy, built.voxels, allow_pickle=False)
        else:

            def allocate(shape: tuple[int, int, int], dtype: np.dtype[Any]) -> np.ndarray:
                return np.lib.format.open_memmap(tmp_npy, mode="w+", dtype=dtype, shape=shape)

            built = dicom.volume_from_files([storage.blob_path(s) for s in shas], allocate=allocate)
            voxels = built.voxels
            if isinstance(voxels, np.memmap):
                voxels.flush()
            del voxels
        geometry = {
            "spacing_mm": list(built.spacing_mm),
            "origin_mm": list(built.origin_mm),
            "row_dir": list(built.row_dir),
            "col_dir": list(built.col_dir),
            "normal": list(built.normal),
            "warnings": list(built.warnings),
        }
        del built
        tmp_meta.write_text(json.dumps(geometry), encoding="utf-8")
        os.replace(tmp_npy, npy)
        os.replace(tmp_meta, meta)
    finally:
        tmp_npy.unlink(missing_ok=True)
        tmp_meta.unlink(missing_ok=True)
    for old in npy.parent.glob(f"{series.pk}-*"):
        if old not in (npy, meta):
            old.unlink(missing_ok=True)
    return _volume_of(np.load(npy, mmap_mode="r", allow_pickle=False), geometry)


def drop_volume_cache(series_id: int) -> None:
    """Remove every cached volume file of a series (an import that failed after building)."""
    folder = storage.volume_cache_folder()
    if folder.is_dir():
        for path in folder.glob(f"{series_id}-*"):
            path.unlink(missing_ok=True)


def volume_meta(vol: dicom.Volume) -> dict[str, Any]:
    nk, nr, nc = vol.voxels.shape
    sz, sy, sx = vol.spacing_mm
    finite = vol.voxels[nk // 2]
    lo, hi = float(finite.min()), float(finite.max())
    return {
        "shape": [nk, nr, nc],
        "spacing_mm": [sz, sy, sx],
        "planes": {
            # (count along the slider, rows, cols, row spacing, col spacing) per plane, as reformat
            "axial": {"count": nk, "rows": nr, "cols": nc, "row_mm": sy, "col_mm": sx},
            "coronal": {"count": nr, "rows": nk, "cols": nc, "row_mm": sz, "col_mm": sx},
            "sagittal": {"count": nc, "rows": nk, "cols": nr, "row_mm": sz, "col_mm": sy},
        },
        "window": {
            "center": round((lo + hi) / 2 + 0.5, 1),
            "width": round(max(hi - lo + 1, 1.0), 1),
        },
    }


def slice_png(
    vol: dicom.Volume, plane: dicom.Plane, index: int, center: float, width: float
) -> bytes:
    s = dicom.render_slice(vol, plane, index, center, width)
    return dicom.to_png(s.pixels)


def voxel_of(
    vol: dicom.Volume, plane: str, index: int, row: float, col: float
) -> tuple[float, float, float]:
    """(k, row, col) voxel index of a point on a displayed slice (inverse of ``dicom.reformat``:
    coronal and sagittal display rows run from the last slice down)."""
    nk = vol.voxels.shape[0]
    if plane == "axial":
        return (float(index), row, col)
    if plane == "coronal":
        return (nk - 1 - row, float(index), col)
    return (nk - 1 - row, col, float(index))


def annotated_png(inst: Instance, analysis: Any | None = None) -> bytes:
    """The image with its named landmarks and, if given, an analysis' points and values."""
    base = Image.open(io.BytesIO(instance_png(inst))).convert("RGB")
    draw = ImageDraw.Draw(base)
    size = max(12, round(max(base.size) / 50))
    font = ImageFont.load_default(size=size)
    r = max(3, size // 3)

    def mark(x: float, y: float, label: str, colour: tuple[int, int, int]) -> None:
        draw.ellipse([x - r, y - r, x + r, y + r], outline=colour, width=2)
        draw.text((x + r + 2, y - size / 2), label, fill=colour, font=font)

    for lm in inst.landmarks:
        mark(lm["x"], lm["y"], lm["name"], (255, 220, 0))
    legend: list[str] = []
    if analysis is not None:
        for name, value in analysis.points.get("points", {}).items():
            if name == "skull_pairs":
                for i, (right, left) in enumerate(value, start=1):
                    (rx, ry), (lx, ly) = right, left
                    mark(rx, ry, f"R{i}", (0, 200, 255))
                    mark(lx, ly, f"L{i}", (0, 200, 255))
                    draw.line([tuple(right), tuple(left)], fill=(0, 200, 255), width=1)
            elif name.endswith("_arc"):
                for px, py in value:
                    mark(px, py, "", (0, 200, 255))
            else:
                px, py = value
                mark(px, py, name, (255, 64, 160))
        legend.append(f"{analysis.view} · {analysis.algorithm}")
        for name, v in analysis.values.items():
            legend.append(f"{name}: {v['value']} {v['unit']} {v['side'] or ''}".rstrip())
    y: float = size / 2
    for line in legend:
        box = draw.textbbox((size / 2, y), line, font=font)
        draw.rectangle(box, fill=(0, 0, 0))
        draw.text((size / 2, y), line, fill=(255, 255, 255), font=font)
        y = box[3] + 2
    buf = io.BytesIO()
    base.save(buf, format="PNG")
    return buf.getvalue()


def deidentified_zip(study: Study) -> tuple[bytes, list[str]]:
    """The de-identified zip of :func:`write_deidentified_zip` as bytes (small studies, tests)."""
    buf = io.BytesIO()
    warnings = write_deidentified_zip(study, buf)
    return buf.getvalue(), warnings


def write_deidentified_zip(study: Study, out: IO[bytes], progress: Any | None = None) -> list[str]:
    """Write a .zip of the study's DICOM instances de-identified per PS3.15 Basic Profile (film
    scans are not DICOM and are left out) to ``out``, one instance in memory at a time. The salt
    is per installation and study, so the same study exported twice gets the same replacement
    UIDs. ``progress(done, total)`` is called after each instance. Returns the warnings."""
    warnings: set[str] = set()
    salt = f"{settings.SECRET_KEY}:{study.pk}"
    instances = [
        (series_pk, sha)
        for series_pk, sha, kind in Instance.objects.filter(series__study=study)
        .order_by("series_id", "instance_number", "id")
        .values_list("series_id", "blob__sha256", "blob__kind")
        if kind == "dicom"
    ]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, (series_pk, sha) in enumerate(instances, start=1):
            ds = dicom.read(storage.blob_path(sha))
            clean, warns = dicom.deidentify(ds, salt=salt, pseudonym=f"ANON-{study.pk}")
            warnings.update(warns)
            one = io.BytesIO()  # pydicom's writer seeks, which a zip member cannot
            clean.save_as(one, enforce_file_format=True)
            zf.writestr(f"series{series_pk}/IM{n:05d}.dcm", one.getvalue())
            del ds, clean, one
            if progress is not None:
                progress(n, len(instances))
    return sorted(warnings)
