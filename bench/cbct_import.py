"""Benchmark: a 400-slice CBCT zip imported the old way and the streaming way, on SQLite.

Writes a zip of ``--slices`` CT slices (``--size``² pixels, 12-bit, the CT_small sample of pydicom
tiled and shifted per slice, as the tests make them) and imports it for one patient, each way in a
fresh process on a fresh copy of one migrated SQLite database:

* ``before``: what the request did until now: the upload read into memory, ``upload.parse`` (every
  slice decoded and re-serialised, all held at once), ``services.import_upload`` (queries per
  slice inside one transaction, the volume built in memory);
* ``after``: ``importing.import_files`` from the zip on disk (slice by slice, batched short
  transactions, the volume written to its memory-mapped .npy).

Measured per way: wall time; peak RSS growth of the process and what it keeps after the import
(``/proc/self/status``), against the volume's size; the tracemalloc peak (a second run: tracing
slows the import down); and, while the import runs, the latency of a small write another "user"
makes every 20 ms on the same database (SQLite has one write lock: a long import transaction
stalls it). Targets (docs/benchmarks.md): peak ≤ 2× the volume, no write stalls past 200 ms.

Run: ``.venv/bin/python bench/cbct_import.py`` (about two minutes; ``--slices 100`` is quicker).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def write_zip(path: Path, slices: int, size: int) -> int:
    """The zip of the series; returns the volume's size in bytes (int16 voxels)."""
    import numpy as np
    from pydicom import dcmread
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    sample = Path(get_testdata_file("CT_small.dcm"))
    base = dcmread(sample)
    pixels = np.clip(base.pixel_array.astype(np.int32) + 1024, 0, 4000)
    reps = -(-size // pixels.shape[0])
    pixels = np.tile(pixels, (reps, reps))[:size, :size]
    study, series = generate_uid(), generate_uid()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for k in range(slices):
            ds = dcmread(sample)
            ds.PatientName, ds.PatientID = "Kim^Minjun", "000001"
            ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
            ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
            ds.InstanceNumber = k + 1
            ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
            ds.ImagePositionPatient = [0.0, 0.0, 0.3 * k]
            ds.Rows = ds.Columns = size
            ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 0
            ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
            ds.PixelData = ((pixels + k) % 4096).astype(np.uint16).tobytes()
            buf = io.BytesIO()
            ds.save_as(buf, enforce_file_format=True)
            zf.writestr(f"CBCT/IM{k:04d}.dcm", buf.getvalue())
    return slices * size * size * 2


def _setup_django(db: Path, var: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["ATLASCHART_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
    import django

    django.setup()


def prepare_database(folder: Path) -> Path:
    db = folder / "template.sqlite3"
    _setup_django(db, folder / "var")
    from datetime import date

    from django.core.management import call_command

    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic
    from atlaschart.patients.models import Patient

    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench")
    User.objects.create_user("clinician", clinic=clinic, role=Role.CLINICIAN)
    User.objects.create_user("other", clinic=clinic, role=Role.CLINICIAN)
    Patient.objects.create(
        clinic=clinic,
        chart_number="000001",
        name="김민준",
        name_latin="Minjun Kim",
        date_of_birth=date(1985, 3, 2),
    )
    from django.db import connection

    with connection.cursor() as cursor:  # WAL: put everything into the file that is copied
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return db


class WriteProbe(threading.Thread):
    """Another user's small write every 20 ms on its own connection; records each latency."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.latencies_ms: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection, transaction

        from atlaschart.accounts.models import User

        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                with transaction.atomic():
                    User.objects.filter(username="other").update(first_name=str(started)[-6:])
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)
        finally:
            connection.close()


def child(way: str, db: Path, archive: Path, trace: bool) -> dict[str, Any]:
    _setup_django(db, db.parent / "var")
    import gc

    from atlaschart.accounts.models import User
    from atlaschart.imaging_studies import importing, services, upload
    from atlaschart.lib.actor import Actor
    from atlaschart.patients.models import Patient

    actor = Actor.system(User.objects.get(username="clinician"), via="cli")
    patient = Patient.objects.get()
    gc.collect()
    rss_before = _status_kib("VmRSS")
    probe = WriteProbe()
    if trace:
        tracemalloc.start()
    else:
        probe.start()
    started = time.perf_counter()
    if way == "before":
        items = [(archive.name, archive.read_bytes())]  # the view read the upload into memory
        parsed = upload.parse(items)
        outcome = services.import_upload(actor, patient, parsed, identity_confirmed=True)
        instances = outcome.instances
        del items, parsed
    else:
        instances = importing.import_files(actor, patient, [archive]).instances
    wall_s = time.perf_counter() - started
    peak_heap = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    probe.stop.set()
    if probe.is_alive():
        probe.join()
    gc.collect()
    return {
        "way": way,
        "instances": instances,
        "wall_s": round(wall_s, 2),
        "rss_peak_growth_bytes": (_status_kib("VmHWM") - rss_before) * 1024,
        "rss_kept_bytes": (_status_kib("VmRSS") - rss_before) * 1024,
        "tracemalloc_peak_bytes": peak_heap,
        "write_max_ms": round(max(probe.latencies_ms), 1) if probe.latencies_ms else None,
        "write_p95_ms": round(statistics.quantiles(probe.latencies_ms, n=20)[18], 1)
        if len(probe.latencies_ms) >= 20
        else None,
        "writes": len(probe.latencies_ms),
    }


def run_child(way: str, template: Path, archive: Path, trace: bool, work: Path) -> dict[str, Any]:
    folder = work / f"{way}-{'trace' if trace else 'plain'}"
    folder.mkdir()
    db = folder / "db.sqlite3"
    shutil.copy(template, db)
    out = subprocess.run(
        [sys.executable, __file__, "--child", way, str(db), str(archive)]
        + (["--trace"] if trace else []),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise SystemExit(f"{way} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=400)
    parser.add_argument("--size", type=int, default=416, help="pixels per side (416: 137 MiB)")
    parser.add_argument("--child", nargs=3, metavar=("WAY", "DB", "ZIP"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        way, db, archive = args.child
        print(json.dumps(child(way, Path(db), Path(archive), args.trace)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        archive = work / "cbct.zip"
        volume = write_zip(archive, args.slices, args.size)
        template = prepare_database(work)
        rows = []
        for way in ("before", "after"):
            plain = run_child(way, template, archive, False, work)
            traced = run_child(way, template, archive, True, work)
            plain["tracemalloc_peak_bytes"] = traced["tracemalloc_peak_bytes"]
            rows.append(plain)
        mib = 1024**2
        zip_mib = archive.stat().st_size / mib
        print(
            f"{args.slices} slices of {args.size}x{args.size}; zip {zip_mib:.0f} MiB; "
            f"volume {volume / mib:.0f} MiB (int16)"
        )
        print(
            "| way | wall s | RSS peak growth | RSS kept | tracemalloc peak | other user's write "
            "max / p95 ms |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for r in rows:
            print(
                f"| {r['way']} | {r['wall_s']} | {r['rss_peak_growth_bytes'] / mib:.0f} MiB "
                f"({r['rss_peak_growth_bytes'] / volume:.1f}×) | "
                f"{r['rss_kept_bytes'] / mib:.0f} MiB | "
                f"{r['tracemalloc_peak_bytes'] / mib:.0f} MiB "
                f"({r['tracemalloc_peak_bytes'] / volume:.2f}×) | "
                f"{r['write_max_ms']} / {r['write_p95_ms']} ({r['writes']} writes) |"
            )


if __name__ == "__main__":
    main()
