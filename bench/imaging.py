"""Benchmark: import a 400-slice 512×512 CBCT series and serve reformatted slices.

Writes the series as real DICOM files into a temporary directory, imports it with
``atlaschart.imaging.dicom.volume_from_files`` and compares, in the same run, with plain numpy on
the same pixel data:

* import: ours (header pass, then each slice decoded straight into a preallocated int16 volume)
  vs the plain way (``np.stack`` of every decoded slice, then rescale);
* per reformatted 8-bit slice (axial / coronal / sagittal, window/level applied): ours
  (``render_slice``) vs a plain numpy slice + clip + cast;
* peak Python-heap memory (tracemalloc, which numpy reports to) against the volume's own size.

Targets: ≤ 50 ms per 512×512 slice, peak ≤ 2× the volume. Run: ``.venv/bin/python bench/imaging.py``
(about a minute; ``--slices N`` for a quicker run). Results go to docs/benchmarks/imaging.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from atlaschart.imaging import dicom

SIZE = 512
CENTER, WIDTH = 400.0, 2000.0  # a bone window


def write_series(folder: Path, slices: int) -> list[Path]:
    study, series = generate_uid(), generate_uid()
    rng = np.random.default_rng(6)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    disc = ((yy - 256) ** 2 + (xx - 256) ** 2) < 200**2
    paths = []
    for k in range(slices):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.Modality, ds.InstanceNumber = "CT", k + 1
        ds.Rows = ds.Columns = SIZE
        ds.PixelSpacing = [0.3, 0.3]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-76.8, -76.8, 0.3 * k]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
        img = rng.integers(900, 1100, size=(SIZE, SIZE), dtype=np.uint16)
        img[disc] += 800
        ds.PixelData = img.tobytes()
        p = folder / f"slice{k:04d}.dcm"
        ds.save_as(p, enforce_file_format=True)
        paths.append(p)
    # Shuffle the order the importer sees: sorting by position is part of the work.
    order = np.random.default_rng(1).permutation(len(paths))
    return [paths[i] for i in order]


def plain_import(paths: list[Path]) -> np.ndarray:
    """The straightforward numpy way: decode all, sort by z, stack, rescale."""
    items = []
    for p in paths:
        ds = dcmread(p)
        items.append((float(ds.ImagePositionPatient[2]), ds.pixel_array))
    items.sort(key=lambda t: t[0])
    stacked = np.stack([a for _, a in items])
    return (stacked.astype(np.int32) - 1024).astype(np.int16)


def measure(fn: Callable[[], object]) -> tuple[float, int, object]:
    tracemalloc.start()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result


def plain_slice(vol: np.ndarray, plane: str, i: int) -> np.ndarray:
    s = vol[i] if plane == "axial" else vol[::-1, i, :] if plane == "coronal" else vol[::-1, :, i]
    lo = CENTER - 0.5 - (WIDTH - 1) / 2
    return np.clip((s.astype(np.float32) - lo) * (255 / (WIDTH - 1)), 0, 255).astype(np.uint8)


def time_slices(
    fn: Callable[[str, int], object], n_index: int, repeats: int = 40
) -> dict[str, float]:
    out = {}
    for plane in ("axial", "coronal", "sagittal"):
        idx = np.linspace(0, n_index - 1, repeats).astype(int)
        times = []
        for i in idx:
            t0 = time.perf_counter()
            fn(plane, int(i))
            times.append((time.perf_counter() - t0) * 1000)
        out[plane] = statistics.median(times)
        out[plane + "_max"] = max(times)
    return out


def upload_peaks(paths: list[Path], slices: int = 100) -> tuple[int, int, int, int, str]:
    """Peak heap of ``upload.parse`` (the import's parsing step, before anything is stored) on the
    issue's 93 KB zip (62 slices of 720×720 zeros) and on a zip of ``slices`` of the series:
    (bomb zip bytes, bomb peak, series unpacked bytes, series peak, what became of the bomb)."""
    import io
    import os
    import zipfile

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
    django.setup()
    from atlaschart.imaging_studies import upload

    first = dcmread(paths[0])
    first.PixelData = bytes(720 * 720 * 2)
    first.Rows = first.Columns = 720
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for k in range(62):
            first.SOPInstanceUID = first.file_meta.MediaStorageSOPInstanceUID = generate_uid()
            member = io.BytesIO()
            first.save_as(member, enforce_file_format=True)
            zf.writestr(f"s{k:03d}.dcm", member.getvalue())
    series = io.BytesIO()
    unpacked = 0
    with zipfile.ZipFile(series, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths[:slices]:
            unpacked += p.stat().st_size
            zf.write(p, p.name)

    def parse(data: bytes) -> str:
        try:
            return f"{len(upload.parse([('study.zip', data)]).dicoms)} instances"
        except upload.UploadError as exc:
            return f"refused ({exc.code})"

    _, bomb_peak, bomb_outcome = measure(lambda: parse(bomb.getvalue()))
    _, series_peak, _ = measure(lambda: parse(series.getvalue()))
    return len(bomb.getvalue()), bomb_peak, unpacked, series_peak, str(bomb_outcome)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slices", type=int, default=400)
    parser.add_argument(
        "--out", default=str(Path(__file__).parent.parent / "docs/benchmarks/imaging.md")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = write_series(Path(tmp), args.slices)
        write_s = time.perf_counter() - t0
        ours_s, ours_peak, vol = measure(lambda: dicom.volume_from_files(paths))
        plain_s, plain_peak, plain_vol = measure(lambda: plain_import(paths))
        bomb_bytes, bomb_peak, zip_unpacked, zip_peak, bomb_outcome = upload_peaks(paths)
    assert isinstance(vol, dicom.Volume) and isinstance(plain_vol, np.ndarray)
    assert np.array_equal(vol.voxels, plain_vol), "importers disagree"
    nbytes = vol.voxels.nbytes
    ours = time_slices(
        lambda p, i: dicom.render_slice(vol, p, i, CENTER, WIDTH),
        SIZE if args.slices >= SIZE else args.slices,
    )
    plain = time_slices(
        lambda p, i: plain_slice(plain_vol, p, i), SIZE if args.slices >= SIZE else args.slices
    )
    png = time_slices(
        lambda p, i: dicom.to_png(dicom.render_slice(vol, p, i, CENTER, WIDTH).pixels),
        SIZE if args.slices >= SIZE else args.slices,
        repeats=15,
    )
    # Same output for the same slice (ours rounds, plain truncates: allow 1 grey level).
    a = dicom.render_slice(vol, "coronal", 100, CENTER, WIDTH).pixels.astype(int)
    b = plain_slice(plain_vol, "coronal", 100).astype(int)
    assert np.abs(a - b).max() <= 1
    mib = 1024 * 1024
    lines = [
        "# Imaging benchmark (bench/imaging.py)",
        "",
        f"Series: {args.slices} slices × {SIZE}×{SIZE}, 16-bit native DICOM files written by the "
        f"bench ({write_s:.1f} s to write). Volume {tuple(vol.voxels.shape)} {vol.voxels.dtype} "
        f"= {nbytes / mib:.0f} MiB. Machine: {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}.",
        "",
        "| measure | AtlasChart | plain numpy | target |",
        "|---|---|---|---|",
        f"| import time | {ours_s:.2f} s | {plain_s:.2f} s | — |",
        f"| import peak memory (tracemalloc) | {ours_peak / mib:.0f} MiB "
        f"({ours_peak / nbytes:.2f}× volume) | {plain_peak / mib:.0f} MiB "
        f"({plain_peak / nbytes:.2f}× volume) | ≤ 2× volume |",
        f"| upload parse peak memory (tracemalloc): {bomb_bytes / 1000:.0f} KB zip bomb; "
        f"zip of {min(args.slices, 100)} slices ({zip_unpacked / mib:.0f} MiB unpacked) | "
        f"{bomb_peak / mib:.1f} MiB, {bomb_outcome}; {zip_peak / mib:.0f} MiB "
        f"({zip_peak / zip_unpacked:.1f}× unpacked) | — | bomb refused before inflating |",
    ]
    for plane in ("axial", "coronal", "sagittal"):
        lines.append(
            f"| {plane} 8-bit slice, median (max) | {ours[plane]:.2f} ms "
            f"({ours[plane + '_max']:.2f}) | {plain[plane]:.2f} ms ({plain[plane + '_max']:.2f})"
            " | ≤ 50 ms |"
        )
    for plane in ("axial", "coronal", "sagittal"):
        lines.append(
            f"| {plane} slice + PNG encode, median (max) | {png[plane]:.2f} ms "
            f"({png[plane + '_max']:.2f}) | — | ≤ 50 ms |"
        )
    lines += [
        "",
        "AtlasChart import = header pass, sort by ImagePositionPatient along the normal, then each "
        "slice decoded into a preallocated int16 array. Plain = decode all slices into a list, "
        "sort, `np.stack`, rescale. Slice = reformat (a view) + DICOM linear window to uint8; "
        "the PNG rows add Pillow's PNG encoding, which is what the viewer is served. "
        "Peak memory is the Python/numpy heap traced by tracemalloc during the import, "
        "not the process RSS.",
        "",
    ]
    text = "\n".join(lines)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
