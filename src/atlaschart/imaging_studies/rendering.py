"""Pixels for the viewer and exports: PNG of a frame (window/level from query parameters), CBCT
slices from a volume kept in a small per-process cache, annotated PNGs, de-identified zips."""

from __future__ import annotations

import io
import threading
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from atlaschart.imaging import dicom
from atlaschart.imaging_studies import storage
from atlaschart.imaging_studies.models import Instance, Series, Study

_VOLUMES: OrderedDict[int, dicom.Volume] = OrderedDict()
_LOCK = threading.Lock()
VOLUME_CACHE_SIZE = 2


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


def volume(series: Series) -> dicom.Volume:
    """The series as a volume; the last ``VOLUME_CACHE_SIZE`` stay in memory (a slider moves
    through one volume, and re-reading 400 files per slice would miss the 50 ms target)."""
    with _LOCK:
        if series.pk in _VOLUMES:
            _VOLUMES.move_to_end(series.pk)
            return _VOLUMES[series.pk]
    shas = list(series.instances.order_by("id").values_list("blob__sha256", flat=True))
    if len(shas) == 1:
        vol = dicom.volume_from_datasets([dicom.read(storage.blob_path(shas[0]))])
    else:
        vol = dicom.volume_from_files([storage.blob_path(s) for s in shas])
    with _LOCK:
        _VOLUMES[series.pk] = vol
        while len(_VOLUMES) > VOLUME_CACHE_SIZE:
            _VOLUMES.popitem(last=False)
    return vol


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


def slice_png(vol: dicom.Volume, plane: str, index: int, center: float, width: float) -> bytes:
    s = dicom.render_slice(vol, plane, index, center, width)  # type: ignore[arg-type]
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
                    mark(*right, f"R{i}", (0, 200, 255))
                    mark(*left, f"L{i}", (0, 200, 255))
                    draw.line([tuple(right), tuple(left)], fill=(0, 200, 255), width=1)
            elif name.endswith("_arc"):
                for p in value:
                    mark(*p, "", (0, 200, 255))
            else:
                mark(*value, name, (255, 64, 160))
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
    """A .zip of the study's DICOM instances de-identified per PS3.15 Basic Profile (film scans
    are not DICOM and are left out). The salt is per installation and study, so the same study
    exported twice gets the same replacement UIDs."""
    buf = io.BytesIO()
    warnings: set[str] = set()
    salt = f"{settings.SECRET_KEY}:{study.pk}"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        n = 0
        for series in study.series.all():
            for inst in series.instances.select_related("blob"):
                if inst.blob.kind != "dicom":
                    continue
                ds = dicom.read(storage.blob_path(inst.blob.sha256))
                clean, warns = dicom.deidentify(ds, salt=salt, pseudonym=f"ANON-{study.pk}")
                warnings.update(warns)
                out = io.BytesIO()
                clean.save_as(out, enforce_file_format=True)
                n += 1
                zf.writestr(f"series{series.pk}/IM{n:05d}.dcm", out.getvalue())
    return buf.getvalue(), sorted(warnings)
