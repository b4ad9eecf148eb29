"""Importing DICOM files and film scans that are already on disk: the one import path of the
web upload (through the import job) and of the DICOM network receiver.

The import runs in two halves so nothing is stored unless every file passed, and no database
lock is held while files are read:

1. **prepare** (no database writes): archives are inflated member by member to files in a work
   folder under the zip limits (docs/imaging.md, "Upload limits"); every DICOM file is read with
   pydicom from disk, its pixels decoded once to prove the image can be shown, its header kept
   without the pixel data and the dataset released before the next file is read; its sha256 is
   computed from the file in chunks. At most one slice (plus its decoded copy) is in memory.
2. **store**: blob files are copied by streaming (content-addressed, written once); database rows
   are inserted with ``bulk_create`` in batches of ``BATCH_ROWS``, each batch in its own short
   transaction, so SQLite's single write lock is never held for more than a few milliseconds and
   other users' requests do not stall behind an import. If anything fails midway, the rows and
   files this import created are removed again (``_Created.undo``): nothing is half stored. A
   process killed midway leaves a prefix that the next run of the same import completes,
   because instances already stored are skipped (de-duplicated by SOP Instance UID per series;
   blobs by sha256).
3. The volume of each CT/CBCT series that gained slices is built once into a memory-mapped .npy
   file (``rendering.build_volume_cache``) that every worker of the viewer maps.

The access log gets one row per study (created / images added), as before.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from PIL import Image, UnidentifiedImageError
from pydicom import Dataset
from pydicom.uid import generate_uid

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.imaging import dicom
from atlaschart.imaging_studies import rendering, storage, upload
from atlaschart.imaging_studies.models import Blob, Instance, Series, Study
from atlaschart.imaging_studies.upload import UploadError
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient

#: Rows per ``bulk_create`` and per transaction (one batch of 200 instance rows takes a few
#: milliseconds on SQLite, far under the 200 ms a waiting page may stall).
BATCH_ROWS = 200

#: What the import keeps of each slice's header (grouping and the DICOMDIR check); the rest of
#: the header is summarised in ``_Slice.info``.
HEADER_KEYWORDS = (
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SOPInstanceUID",
    "InstanceNumber",
    "PatientID",
    "PatientName",
    "SpecificCharacterSet",  # how PatientName decodes (Korean: ISO 2022 IR 149)
    "StudyDate",
    "Modality",
    "SeriesDescription",
    "DirectoryRecordSequence",
)

Progress = Callable[[int, int], None]
#: ``step(code, done, total)``: which phase the import is in ("reading", "storing", "volume").
Step = Callable[[str, int, int], None]


class ImportRefused(UploadError):
    """A refused set of files: ``code`` (stable, e.g. ``zip-bomb``), ``name`` (the file the
    refusal is about, as the user knows it) and a translated ``message``. Nothing was stored."""

    def __init__(self, code: str, name: str) -> None:
        super().__init__(code, upload.refusal_text(code, name))
        self.name = name


@dataclass(frozen=True)
class ImportOutcome:
    """What an import stored: counts, the studies touched, the series now shown as volumes, and
    the files skipped as not DICOM images (name, why)."""

    studies: int
    instances: int
    duplicates: int
    study_ids: tuple[int, ...] = ()
    volume_series_ids: tuple[int, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass
class _Slice:
    """One checked DICOM file: its header (no pixel data), summary and content hash."""

    name: str
    path: Path
    sha256: str
    size_bytes: int
    header: Dataset
    info: dict[str, Any]


@dataclass
class _Film:
    name: str
    path: Path
    sha256: str
    size_bytes: int
    kind: str
    width: int
    height: int


@dataclass
class Prepared:
    """Every file of an import read and checked, nothing stored yet."""

    slices: list[_Slice] = field(default_factory=list)
    films: list[_Film] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    studies: tuple[dicom.Study, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.slices and not self.films


# --- prepare ---------------------------------------------------------------------------------


def _kind_of(path: Path, name: str) -> str:
    with path.open("rb") as fh:
        head = fh.read(dicom.DICM_OFFSET + 4)
    if head.startswith(upload.ZIP_MAGIC) or name.lower().endswith(".zip"):
        return "zip"
    if head.startswith(upload.PNG_MAGIC):
        return "png"
    if head.startswith(upload.JPEG_MAGIC):
        return "jpeg"
    return "dicom"


def _refuse_dicom_error(exc: dicom.DicomError, name: str) -> ImportRefused:
    return ImportRefused(exc.code, name)


def _scan_dicom(name: str, path: Path) -> _Slice:
    """Read one file from disk, decode its pixels once (a file that cannot be shown is refused
    now, not in the viewer), keep its header only."""
    try:
        ds = dicom.read(path, max_bytes=upload.max_upload_bytes())
        dicom.pixels(ds, source=name)
        info = dicom.summary(ds, source=name)
    except dicom.DicomError as exc:
        raise _refuse_dicom_error(exc, name) from exc
    header = dicom.slim(ds, HEADER_KEYWORDS)
    del ds  # the pixels, pydicom's decoded array and the rest of the header go now
    return _Slice(name, path, storage.sha256_of_file(path), path.stat().st_size, header, info)


def _scan_film(name: str, path: Path, kind: str) -> _Film:
    if name.lower().endswith(upload.DICOM_SUFFIXES):
        # A photo or screenshot renamed .dcm: storing it as a film scan would hide that it has
        # none of the DICOM data (spacing, patient, study) the name promises.
        raise ImportRefused("png-named-dicom" if kind == "png" else "jpeg-named-dicom", name)
    try:
        with Image.open(path) as img:
            width, height = img.size
            if width * height > upload.MAX_FILM_PIXELS:
                raise ImportRefused("too-large", name)
            img.load()  # decodes fully: a truncated scan fails here, not in the viewer
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImportRefused("bad-image", name) from exc
    return _Film(name, path, storage.sha256_of_file(path), path.stat().st_size, kind, width, height)


def prepare(
    paths: Sequence[Path],
    work: Path,
    *,
    names: Sequence[str] | None = None,
    progress: Progress | None = None,
    step: Step | None = None,
) -> Prepared:
    """Read and check every file (archives inflated into ``work``); the first problem refuses
    the whole set (``ImportRefused``). ``names``: how the user knows each path (the upload's
    file names), used in messages; defaults to the file names on disk."""
    labels = list(names) if names is not None else [p.name for p in paths]
    if sum(p.stat().st_size for p in paths) > upload.max_upload_bytes():
        raise ImportRefused("too-large", labels[0] if labels else "?")
    limits = upload.zip_limits()
    budget = dicom.ZipBudget(limits.max_total_bytes)
    out = Prepared()
    candidates: list[tuple[str, Path]] = []
    for index, (path, label) in enumerate(zip(paths, labels, strict=True)):
        kind = _kind_of(path, label)
        if kind == "zip":
            into = work / f"zip{index}"
            into.mkdir(parents=True, exist_ok=True)
            try:
                extracted = dicom.extract_zip(path, into, limits, budget)
            except dicom.DicomError as exc:
                raise _refuse_dicom_error(exc, label) from exc
            if not extracted.files:
                raise ImportRefused("empty-zip", label)
            candidates.extend((f"{label}/{member}", p) for member, p in extracted.files)
            out.skipped.extend((f"{label}/{m}", why) for m, why in extracted.skipped)
            continue
        if not budget.spend(path.stat().st_size):
            raise ImportRefused("zip-too-large", label)
        if kind in ("png", "jpeg"):
            out.films.append(_scan_film(label, path, kind))
        else:
            candidates.append((label, path))
    total = len(candidates)
    for done, (label, path) in enumerate(candidates, start=1):
        scanned = _scan_dicom(label, path)
        if "DirectoryRecordSequence" in scanned.header and "/" in label:
            out.skipped.append((label, "dicomdir"))  # a DICOMDIR inside a zip study
        else:
            out.slices.append(scanned)
        if progress is not None:
            progress(done, total)
        if step is not None:
            step("reading", done, total)
    try:
        out.studies = dicom.group((s.name, s.header) for s in out.slices)
    except dicom.DicomError as exc:
        raise _refuse_dicom_error(exc, exc.source or "?") from exc
    return out


# --- identity ----------------------------------------------------------------------------------


def identity_differences(prepared: Prepared, patient: Patient) -> list[dict[str, Any]]:
    """The studies of a prepared set whose patient name or ID differs from the chart."""
    return upload.identity_differences_of_studies(prepared.studies, patient)


def identity_differences_of_files(paths: Sequence[Path], patient: Patient) -> list[dict[str, Any]]:
    """The name / ID / birth-date mismatches between the files and the chart that need a person
    to confirm before the import (today's confirmation step). Reads the files as the import
    does (archives inflated to a temporary folder); raises ``ImportRefused`` for a refused set."""
    with tempfile.TemporaryDirectory(dir=storage.extract_root()) as work:
        return identity_differences(prepare(paths, Path(work)), patient)


# --- store -----------------------------------------------------------------------------------


def _db_text(value: Any, max_length: int) -> str:
    """Text read from a DICOM header, made storable on every engine: PostgreSQL refuses NUL and
    lone surrogates (a crafted file may hold either), and the column has a length."""
    text = str(value or "").replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:max_length]


@dataclass
class _Created:
    """Everything this import created, so a failure midway can remove it again."""

    blob_files: list[str] = field(default_factory=list)
    blob_ids: list[int] = field(default_factory=list)
    instance_ids: list[int] = field(default_factory=list)
    series_ids: list[int] = field(default_factory=list)
    study_ids: list[int] = field(default_factory=list)
    volume_series: list[int] = field(default_factory=list)

    def undo(self) -> None:
        with transaction.atomic():
            for start in range(0, len(self.instance_ids), BATCH_ROWS):
                Instance.objects.filter(
                    pk__in=self.instance_ids[start : start + BATCH_ROWS]
                ).delete()
            Series.objects.filter(pk__in=self.series_ids, instances__isnull=True).delete()
            Study.objects.filter(pk__in=self.study_ids, series__isnull=True).delete()
            Blob.objects.filter(pk__in=self.blob_ids, instances__isnull=True).delete()
        for digest in self.blob_files:
            if not Blob.objects.filter(sha256=digest).exists():
                storage.remove_blob_file(digest)
        for series_id in self.volume_series:
            rendering.drop_volume_cache(series_id)


def _blobs(items: Sequence[tuple[Path, str, int, str]], created: _Created) -> dict[str, int]:
    """Blob ids by sha256 for (path, sha256, size, kind); new files copied by streaming, new rows
    inserted in batches."""
    ids: dict[str, int] = {}
    unique = {sha: (path, size, kind) for path, sha, size, kind in items}
    shas = list(unique)
    for start in range(0, len(shas), BATCH_ROWS):
        batch = shas[start : start + BATCH_ROWS]
        for sha in batch:
            if storage.copy_blob_from_file(unique[sha][0], sha):
                created.blob_files.append(sha)
        known = dict(Blob.objects.filter(sha256__in=batch).values_list("sha256", "pk"))
        new = [
            Blob(sha256=sha, size_bytes=unique[sha][1], kind=unique[sha][2])
            for sha in batch
            if sha not in known
        ]
        if new:
            with transaction.atomic():
                Blob.objects.bulk_create(new, ignore_conflicts=True)
            fresh = dict(
                Blob.objects.filter(sha256__in=[b.sha256 for b in new]).values_list("sha256", "pk")
            )
            created.blob_ids.extend(fresh.values())
            known.update(fresh)
        ids.update(known)
    return ids


def _instance_row(s: _Slice, inst: dicom.Instance, series: Series, blob_id: int) -> Instance:
    info = s.info
    cal = info["calibration"]
    return Instance(
        series=series,
        sop_instance_uid=_db_text(inst.sop_instance_uid, 64),
        instance_number=inst.instance_number,
        blob_id=blob_id,
        rows=int(info["rows"] or 0),
        columns=int(info["columns"] or 0),
        frames=int(info["frames"] or 1),
        transfer_syntax=_db_text(info["transfer_syntax"], 80),
        spacing_source=cal["spacing_source"],
        row_spacing_mm=cal["row_spacing_mm"],
        col_spacing_mm=cal["col_spacing_mm"],
        magnification=cal["magnification"],
    )


def _insert(rows: list[Instance], created: _Created, step: Step | None, done: list[int]) -> None:
    total = done[1]
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        with transaction.atomic():
            stored = Instance.objects.bulk_create(batch)
        created.instance_ids.extend(r.pk for r in stored if r.pk is not None)
        done[0] += len(batch)
        if step is not None:
            step("storing", done[0], total)


def store(
    actor: Actor,
    patient: Patient,
    prepared: Prepared,
    *,
    source: str = "upload",
    identity_confirmed: bool = False,
    step: Step | None = None,
) -> ImportOutcome:
    """Store a prepared set for ``patient`` (batched, short transactions; undone on failure)."""
    created = _Created()
    try:
        return _store(actor, patient, prepared, source, identity_confirmed, step, created)
    except BaseException:
        created.undo()
        raise


def _store(
    actor: Actor,
    patient: Patient,
    prepared: Prepared,
    source: str,
    confirmed: bool,
    step: Step | None,
    created: _Created,
) -> ImportOutcome:
    by_name = {s.name: s for s in prepared.slices}
    user = actor.user
    blob_ids = _blobs([(s.path, s.sha256, s.size_bytes, "dicom") for s in prepared.slices], created)
    studies = instances = duplicates = 0
    study_ids: list[int] = []
    log_rows: list[tuple[Study, bool, int]] = []
    grown: list[Series] = []
    progress = [0, len(prepared.slices) + len(prepared.films)]
    for st in prepared.studies:
        with transaction.atomic():
            study, new = patient.imaging_studies.get_or_create(
                study_instance_uid=_db_text(st.study_instance_uid, 64),
                defaults={
                    "study_date": _db_text(st.study_date, 8),
                    "file_patient_name": _db_text(st.patient_name, 200),
                    "file_patient_id": _db_text(st.patient_id, 64),
                    "identity_confirmed": confirmed,
                    "created_by": user,
                    "description": "",
                },
            )
        if new:
            created.study_ids.append(study.pk)
        added = 0
        for se in st.series:
            with transaction.atomic():
                series, new_series = study.series.get_or_create(
                    series_instance_uid=_db_text(se.series_instance_uid, 64),
                    defaults={
                        "modality": _db_text(se.modality, 16),
                        "description": _db_text(se.description, 200),
                    },
                )
            if new_series:
                created.series_ids.append(series.pk)
            uids = [_db_text(i.sop_instance_uid, 64) for i in se.instances]
            known: set[str] = set()
            for start in range(0, len(uids), BATCH_ROWS):
                known.update(
                    series.instances.filter(
                        sop_instance_uid__in=uids[start : start + BATCH_ROWS]
                    ).values_list("sop_instance_uid", flat=True)
                )
            rows = [
                _instance_row(by_name[i.name], i, series, blob_ids[by_name[i.name].sha256])
                for i, uid in zip(se.instances, uids, strict=True)
                if uid not in known
            ]
            duplicates += len(se.instances) - len(rows)
            progress[0] += len(se.instances) - len(rows)
            _insert(rows, created, step, progress)
            added += len(rows)
            if rows:
                grown.append(series)
        instances += added
        study_ids.append(study.pk)
        if new or added:
            studies += 1
            log_rows.append((study, new, added))
    if prepared.films:
        studies += 1
        instances += len(prepared.films)
        study = _store_films(actor, patient, prepared.films, confirmed, created)
        study_ids.append(study.pk)
        log_rows.append((study, True, -len(prepared.films)))
    volumes = _build_volumes(grown, created, step)
    via = "" if source == "upload" else f" via {source}"
    with transaction.atomic():
        for study, new, added in log_rows:
            if added < 0:
                detail = f"imported {-added} film scan(s)"
            else:
                detail = f"imported {added} image(s)" + (
                    "; identity difference confirmed" if confirmed else ""
                )
            log_access(
                actor,
                Action.CREATE if new else Action.UPDATE,
                patient=patient,
                obj=study,
                detail=detail + via,
            )
    return ImportOutcome(
        studies,
        instances,
        duplicates,
        tuple(dict.fromkeys(study_ids)),
        tuple(volumes),
        tuple(prepared.skipped),
    )


def _store_films(
    actor: Actor, patient: Patient, films: list[_Film], confirmed: bool, created: _Created
) -> Study:
    blob_ids = _blobs([(f.path, f.sha256, f.size_bytes, f.kind) for f in films], created)
    with transaction.atomic():
        study = patient.imaging_studies.create(
            study_instance_uid=generate_uid(),
            is_film=True,
            description="film scan",
            created_by=actor.user,
            identity_confirmed=confirmed,
        )
        created.study_ids.append(study.pk)
        series = study.series.create(
            series_instance_uid=generate_uid(), modality="OT", description="film scan"
        )
        created.series_ids.append(series.pk)
        rows = Instance.objects.bulk_create(
            Instance(
                series=series,
                sop_instance_uid=generate_uid(),
                instance_number=n,
                blob_id=blob_ids[film.sha256],
                rows=film.height,
                columns=film.width,
                transfer_syntax=film.kind.upper(),
                spacing_source="none",
            )
            for n, film in enumerate(films, start=1)
        )
        created.instance_ids.extend(r.pk for r in rows if r.pk is not None)
    return study


def _build_volumes(grown: list[Series], created: _Created, step: Step | None) -> list[int]:
    """Build the memory-mapped volume of each series that gained slices; a series whose slices
    do not form a volume (a set of radiographs, irregular spacing) is simply not one."""
    out = []
    for n, series in enumerate(grown, start=1):
        if step is not None:
            step("volume", n, len(grown))
        try:
            rendering.build_volume_cache(series)
        except (dicom.DicomError, ValueError):
            is_volume = False
        else:
            created.volume_series.append(series.pk)
            is_volume = True
            out.append(series.pk)
        if series.is_volume != is_volume:
            series.is_volume = is_volume
            with transaction.atomic():
                series.save(update_fields=["is_volume"])
    return out


# --- the interface -----------------------------------------------------------------------------


def import_files(
    actor: Actor,
    patient: Patient,
    paths: list[Path],
    *,
    source: str = "upload",
    progress: Progress | None = None,
    names: Sequence[str] | None = None,
    identity_confirmed: bool = False,
    step: Step | None = None,
) -> ImportOutcome:
    """Import DICOM files (or .zip studies, PNG/JPEG film scans) already on disk for ``patient``.

    ``source``: "upload" or "dicom-network" (named in the access log). ``progress(done, total)``
    is called after each slice is read. Raises ``ImportRefused`` (translated message, code) for a
    refused set: nothing is stored then. Identity differences are not checked here: call
    :func:`identity_differences_of_files` first and pass ``identity_confirmed`` once a person
    has confirmed them."""
    with tempfile.TemporaryDirectory(dir=storage.extract_root()) as work:
        prepared = prepare(paths, Path(work), names=names, progress=progress, step=step)
        return store(
            actor,
            patient,
            prepared,
            source=source,
            identity_confirmed=identity_confirmed,
            step=step,
        )
