"""DICOM import adapter (pydicom): reading, summaries, safe .zip studies, volumes, slices, PNG,
de-identification. No Django here; the imaging app calls these functions and stores the results.

Failure policy: every problem with a file raises a :class:`DicomError` subclass with a stable
``code`` and an English one-line ``message``; nothing is half returned.

==============================  ==============================================================
code                            meaning
==============================  ==============================================================
``not-dicom``                   no DICOM Part 10 header ('DICM' at byte 128)
``truncated``                   the file ends inside an element or inside the pixel data
``malformed``                   an attribute value cannot be parsed / a required UID is absent
``unsupported-transfer-syntax`` no installed decoder for the transfer syntax
``no-pixel-data``               no Pixel Data element (e.g. an RT plan or structured report)
``decode-failed``               a decoder was tried and failed
``too-large``                   the file is larger than the caller's limit
``zip-bomb`` / ``zip-path-traversal`` / ``zip-invalid``   unsafe or broken archive
``zip-nested`` / ``zip-too-many-members``                 a zip inside / too many members
``zip-member-too-large`` / ``zip-too-large``              a member / the whole past its limit
``inconsistent-series``         slices that do not form one volume
==============================  ==============================================================

Decoders: pydicom's own (native, deflate, RLE), pylibjpeg with -libjpeg (JPEG baseline, extended,
lossless), -openjpeg (JPEG 2000, HTJ2K), -rle, and pyjpegls (JPEG-LS), all PyPI dependencies.

Coordinates: DICOM patient coordinates (LPS, mm). A volume is indexed ``[k, row, col]`` with ``k``
increasing along the slice normal ``n = row direction × column direction`` (ImageOrientationPatient,
PS3.3 C.7.6.2.1.1); slice spacing comes from ImagePositionPatient projected on ``n``, never from
SliceThickness (which is the slab thickness, not the step).
"""

from __future__ import annotations

import copy
import io
import math
import posixpath
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from pydicom import Dataset, dcmread
from pydicom.dataelem import RawDataElement
from pydicom.dataset import FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels.decoders.base import get_decoder
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import UID, generate_uid

from atlaschart.measure.radiograph.calibration import calibration_from_dicom

DICM_OFFSET = 128
DEFAULT_MAX_FILE_BYTES = 2 * 1024**3


class DicomError(Exception):
    """A DICOM input problem. ``code`` is stable (see the module table), ``message`` is English."""

    code = "dicom-error"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class NotDicomError(DicomError):
    code = "not-dicom"


class TruncatedDicomError(DicomError):
    code = "truncated"


class MalformedDicomError(DicomError):
    code = "malformed"


class UnsupportedTransferSyntaxError(DicomError):
    code = "unsupported-transfer-syntax"


class NoPixelDataError(DicomError):
    code = "no-pixel-data"


class DecodeError(DicomError):
    code = "decode-failed"


class TooLargeError(DicomError):
    code = "too-large"


class ZipBombError(DicomError):
    code = "zip-bomb"


class ZipTraversalError(DicomError):
    code = "zip-path-traversal"


class ZipInvalidError(DicomError):
    code = "zip-invalid"


class ZipNestedError(DicomError):
    code = "zip-nested"


class ZipTooManyMembersError(ZipBombError):
    code = "zip-too-many-members"


class ZipMemberTooLargeError(ZipBombError):
    code = "zip-member-too-large"


class ZipTooLargeError(ZipBombError):
    code = "zip-too-large"


class SeriesError(DicomError):
    code = "inconsistent-series"


# --- reading ---------------------------------------------------------------------------------

Source = str | Path | bytes | IO[bytes]


def _label(source: Source) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return "<bytes>" if isinstance(source, bytes) else getattr(source, "name", "<stream>")


def _check_truncated_elements(ds: Dataset, label: str) -> None:
    """pydicom stops silently at end of file; an element whose value is shorter than its declared
    length means the file was cut inside it."""
    for elem in ds._dict.values():
        if (
            isinstance(elem, RawDataElement)
            and elem.value is not None
            and elem.length != 0xFFFFFFFF
            and len(elem.value) < elem.length
        ):
            raise TruncatedDicomError(
                f"file ends inside element {elem.tag} ({len(elem.value)} of {elem.length} bytes)",
                source=label,
            )


def read(source: Source, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Dataset:
    """Read one DICOM Part 10 file (path, bytes or binary stream) fully, pixel data included.

    Raises NotDicomError, TruncatedDicomError, MalformedDicomError or TooLargeError.
    """
    label = _label(source)
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise NotDicomError(f"cannot open: {exc.strerror or exc}", source=label) from exc
        if size > max_bytes:
            raise TooLargeError(f"{size} bytes exceeds the limit of {max_bytes}", source=label)
        with path.open("rb") as fh:
            return _read_stream(fh, label)
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise TooLargeError(f"{len(source)} bytes exceeds the limit", source=label)
        return _read_stream(io.BytesIO(source), label)
    return _read_stream(source, label)


def _read_stream(fh: IO[bytes], label: str) -> Dataset:
    head = fh.read(DICM_OFFSET + 4)
    if len(head) < DICM_OFFSET + 4 or head[DICM_OFFSET:] != b"DICM":
        raise NotDicomError("not a DICOM file (no 'DICM' prefix at byte 128)", source=label)
    fh.seek(0)
    try:
        ds = dcmread(fh)
    except InvalidDicomError as exc:
        raise NotDicomError(f"not a valid DICOM file: {exc}", source=label) from exc
    except (EOFError, struct.error) as exc:
        raise TruncatedDicomError("file ends unexpectedly", source=label) from exc
    except (ValueError, TypeError, KeyError, NotImplementedError) as exc:
        raise MalformedDicomError(f"cannot parse: {exc}", source=label) from exc
    _check_truncated_elements(ds, label)
    if "TransferSyntaxUID" not in ds.file_meta:
        raise MalformedDicomError("file meta has no Transfer Syntax UID", source=label)
    return ds


def _get(ds: Dataset, keyword: str, default: Any = None) -> Any:
    """An attribute value, mapping pydicom's lazy conversion errors to MalformedDicomError."""
    try:
        value = ds.get(keyword, default)
    except (ValueError, TypeError, OverflowError) as exc:
        raise MalformedDicomError(f"attribute {keyword} cannot be parsed: {exc}") from exc
    return default if value is None or value == "" else value


def _floats(value: Any) -> list[float] | None:
    if value is None:
        return None
    try:
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            return [float(value)]
        return [float(v) for v in value]
    except (TypeError, ValueError) as exc:
        raise MalformedDicomError(f"expected numbers, got {value!r}") from exc


def _expected_native_bytes(ds: Dataset) -> int:
    rows, cols = int(_get(ds, "Rows", 0)), int(_get(ds, "Columns", 0))
    frames = int(_get(ds, "NumberOfFrames", 1) or 1)
    spp = int(_get(ds, "SamplesPerPixel", 1))
    bits = int(_get(ds, "BitsAllocated", 8))
    total_bits = rows * cols * frames * spp * bits
    if _get(ds, "PhotometricInterpretation") == "YBR_FULL_422":
        total_bits = total_bits * 2 // 3
    return (total_bits + 7) // 8


def pixels(ds: Dataset, *, source: str | None = None) -> np.ndarray:
    """Decoded stored pixel values (no rescale), shape (rows, cols), (frames, rows, cols) or with a
    trailing samples axis for colour. Raises NoPixelDataError, UnsupportedTransferSyntaxError,
    TruncatedDicomError or DecodeError."""
    if "PixelData" not in ds:
        raise NoPixelDataError("the file has no pixel data (not an image)", source=source)
    tsyntax = UID(ds.file_meta.TransferSyntaxUID)
    try:
        decoder = get_decoder(tsyntax)
    except NotImplementedError:
        decoder = None
    if decoder is None or not decoder.is_available:
        raise UnsupportedTransferSyntaxError(
            f"no decoder installed for transfer syntax {tsyntax.name} ({tsyntax})", source=source
        )
    if not tsyntax.is_compressed:
        have, need = len(ds.PixelData), _expected_native_bytes(ds)
        if have < need:
            raise TruncatedDicomError(f"pixel data has {have} of {need} bytes", source=source)
    try:
        return np.asarray(ds.pixel_array)
    except ValueError as exc:
        if "less than expected" in str(exc):
            raise TruncatedDicomError(str(exc).split(" - ")[0], source=source) from exc
        raise DecodeError(f"{tsyntax.name}: {exc}", source=source) from exc
    except Exception as exc:  # decoder plugins raise RuntimeError and their own types
        first = str(exc).strip().splitlines()
        raise DecodeError(f"{tsyntax.name}: {' '.join(first)[:200]}", source=source) from exc


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def summary(ds: Dataset, *, source: str | None = None) -> dict[str, Any]:
    """JSON-ready summary of a dataset: identity, geometry, calibration, codec."""
    tsyntax = UID(ds.file_meta.TransferSyntaxUID)
    try:
        decodable = get_decoder(tsyntax).is_available
    except NotImplementedError:
        decodable = False
    ps = _floats(_get(ds, "PixelSpacing"))
    ips = _floats(_get(ds, "ImagerPixelSpacing"))
    sid, sod = _get(ds, "DistanceSourceToDetector"), _get(ds, "DistanceSourceToPatient")
    est = _get(ds, "EstimatedRadiographicMagnificationFactor")
    try:
        cal = calibration_from_dicom(
            ps,
            ips,
            float(sid) if sid else None,
            float(sod) if sod else None,
            float(est) if est else None,
        )
        calibration: dict[str, Any] = {
            "spacing_source": cal.source,
            "row_spacing_mm": cal.row_spacing_mm if cal.calibrated else None,
            "col_spacing_mm": cal.col_spacing_mm if cal.calibrated else None,
            "magnification": cal.magnification,
            "warnings": list(cal.warnings),
        }
    except ValueError as exc:
        raise MalformedDicomError(f"bad spacing or distances: {exc}", source=source) from exc
    sop_class = UID(_get(ds, "SOPClassUID", "")) if _get(ds, "SOPClassUID") else None
    return {
        "path": source,
        "sop_class_uid": _str(sop_class),
        "sop_class": sop_class.name if sop_class else None,
        "modality": _str(_get(ds, "Modality")),
        "transfer_syntax_uid": str(tsyntax),
        "transfer_syntax": tsyntax.name,
        "compressed": tsyntax.is_compressed,
        "decodable": decodable,
        "patient_name": _str(_get(ds, "PatientName")),
        "patient_id": _str(_get(ds, "PatientID")),
        "study_instance_uid": _str(_get(ds, "StudyInstanceUID")),
        "series_instance_uid": _str(_get(ds, "SeriesInstanceUID")),
        "sop_instance_uid": _str(_get(ds, "SOPInstanceUID")),
        "study_date": _str(_get(ds, "StudyDate")),
        "series_description": _str(_get(ds, "SeriesDescription")),
        "has_pixel_data": "PixelData" in ds,
        "rows": _get(ds, "Rows"),
        "columns": _get(ds, "Columns"),
        "frames": int(_get(ds, "NumberOfFrames", 1) or 1),
        "samples_per_pixel": _get(ds, "SamplesPerPixel"),
        "bits_allocated": _get(ds, "BitsAllocated"),
        "bits_stored": _get(ds, "BitsStored"),
        "photometric_interpretation": _str(_get(ds, "PhotometricInterpretation")),
        "pixel_spacing_mm": ps,
        "imager_pixel_spacing_mm": ips,
        "calibration": calibration,
        "slice_thickness_mm": _floats(_get(ds, "SliceThickness")),
        "image_position_patient": _floats(_get(ds, "ImagePositionPatient")),
        "image_orientation_patient": _floats(_get(ds, "ImageOrientationPatient")),
        "enhanced_multiframe": "PerFrameFunctionalGroupsSequence" in ds,
        "burned_in_annotation": _str(_get(ds, "BurnedInAnnotation")),
    }


def info(path: str | Path, *, check_pixels: bool = True) -> dict[str, Any]:
    """Read a file and summarise it (``atlaschart dicom info``). With ``check_pixels`` the pixel
    data (if any) is decoded once so a truncated or undecodable image is reported now, not later.
    Raises a DicomError subclass."""
    label = str(path)
    ds = read(path)
    try:
        out = summary(ds, source=label)
    except MalformedDicomError as exc:
        raise MalformedDicomError(exc.message, source=label) from exc
    if check_pixels and "PixelData" in ds:
        arr = pixels(ds, source=label)
        out["pixel_dtype"] = str(arr.dtype)
        out["pixel_shape"] = list(arr.shape)
    return out


# --- zip studies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """Caps that make a zip bomb fail early, before and while members are inflated.

    ``max_ratio`` applies to a member over ``ratio_floor`` bytes and to the archive as a whole
    (so a bomb cannot hide in many small members); tiny members (headers, text) compress far
    better than images legitimately. ``spool_bytes``: a member larger than this is inflated to an
    unnamed temporary file in ``temp_dir`` rather than held in memory.
    """

    max_total_bytes: int = 1536 * 1024**2
    max_member_bytes: int = 64 * 1024**2
    max_ratio: float = 200.0
    ratio_floor: int = 64 * 1024
    max_members: int = 5000
    spool_bytes: int = 1024 * 1024
    temp_dir: str | None = None


class ZipBudget:
    """Uncompressed bytes still allowed for one request, shared by every archive (and plain file)
    in it, so ten zips cannot each take the whole budget."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.left = total

    def spend(self, nbytes: int) -> bool:
        """Take ``nbytes``; False (and nothing taken) when they do not fit."""
        if nbytes > self.left:
            return False
        self.left -= nbytes
        return True


@dataclass(frozen=True)
class ZipContents:
    """DICOM files found in an archive (member name, dataset) and the members skipped, with why."""

    datasets: tuple[tuple[str, Dataset], ...]
    skipped: tuple[tuple[str, str], ...]


def _unsafe_name(name: str) -> bool:
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    parts = posixpath.normpath(normal).split("/")
    return ".." in parts or "\x00" in name


ZIP_SIGNATURE = b"PK\x03\x04"
CHUNK_BYTES = 1024 * 1024


def _check_declared(members: list[zipfile.ZipInfo], lim: ZipLimits, label: str) -> None:
    """Refuse from the central directory alone, before one byte is inflated."""
    if len(members) > lim.max_members:
        raise ZipTooManyMembersError(
            f"{len(members)} members exceeds {lim.max_members}", source=label
        )
    declared = compressed = 0
    for m in members:
        if _unsafe_name(m.filename):
            raise ZipTraversalError(f"unsafe member path {m.filename!r}", source=label)
        if m.filename.lower().endswith(".zip"):
            raise ZipNestedError(f"member {m.filename!r} is itself a zip", source=label)
        if m.file_size > lim.max_member_bytes:
            raise ZipMemberTooLargeError(
                f"member {m.filename!r} declares {m.file_size} bytes", source=label
            )
        if m.file_size > lim.ratio_floor and m.file_size > lim.max_ratio * max(m.compress_size, 1):
            raise ZipBombError(
                f"member {m.filename!r} expands {m.file_size // max(m.compress_size, 1)}×",
                source=label,
            )
        declared += m.file_size
        compressed += m.compress_size
    if declared > lim.ratio_floor and declared > lim.max_ratio * max(compressed, 1):
        raise ZipBombError(f"archive expands {declared // max(compressed, 1)}×", source=label)
    if declared > lim.max_total_bytes:
        raise ZipTooLargeError(f"archive expands to {declared} bytes", source=label)


def read_zip(
    source: str | Path | IO[bytes],
    limits: ZipLimits | None = None,
    budget: ZipBudget | None = None,
) -> ZipContents:
    """Read every DICOM member of a .zip study, inflating one member at a time in chunks.

    Refused as a whole: ZipTraversalError (a member name absolute or climbing out with ``..``),
    ZipNestedError (a zip inside), ZipTooManyMembersError, ZipMemberTooLargeError,
    ZipTooLargeError (past ``limits.max_total_bytes`` or the request's ``budget``) and
    ZipBombError (a ratio past ``limits.max_ratio``), from the declared sizes first and again
    from the bytes actually inflated, since declared sizes can lie. Non-DICOM members (text,
    images; DICOMDIR is read but skipped) are listed in ``skipped``.
    """
    lim = limits or ZipLimits()
    budget = budget or ZipBudget(lim.max_total_bytes)
    label = _label(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ZipInvalidError(f"not a readable zip archive: {exc}", source=label) from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        _check_declared(members, lim, label)
        datasets: list[tuple[str, Dataset]] = []
        skipped: list[tuple[str, str]] = []
        for m in members:
            with _inflate(archive, m, lim, budget, label) as fh:
                name = m.filename
                if fh.read(len(ZIP_SIGNATURE)) == ZIP_SIGNATURE:
                    raise ZipNestedError(f"member {name!r} is itself a zip", source=label)
                fh.seek(0)
                try:
                    ds = read(fh)
                except NotDicomError:
                    skipped.append((name, "not-dicom"))
                    continue
                except DicomError as exc:
                    raise type(exc)(exc.message, source=f"{label}:{name}") from exc
            if "DirectoryRecordSequence" in ds:
                skipped.append((name, "dicomdir"))
                continue
            datasets.append((name, ds))
    return ZipContents(tuple(datasets), tuple(skipped))


def _inflate(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, lim: ZipLimits, budget: ZipBudget, label: str
) -> IO[bytes]:
    """The member inflated chunk by chunk into a spooled temporary file (memory up to
    ``lim.spool_bytes``, then an unnamed file that vanishes when closed, even on a crash).
    Every chunk is counted against the member's declared size (so the checks made on declared
    sizes hold for the real bytes: a lying header stops within one chunk of the lie), the member
    cap and the request's budget."""
    out = tempfile.SpooledTemporaryFile(max_size=lim.spool_bytes, dir=lim.temp_dir)  # noqa: SIM115
    size = 0
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(CHUNK_BYTES):
                size += len(chunk)
                if size > member.file_size:
                    raise ZipBombError(
                        f"member {member.filename!r} inflates past its declared size", source=label
                    )
                if size > lim.max_member_bytes:
                    raise ZipMemberTooLargeError(
                        f"member {member.filename!r} is too large", source=label
                    )
                if not budget.spend(len(chunk)):
                    raise ZipTooLargeError("the upload expands past its budget", source=label)
                out.write(chunk)
    except DicomError:
        out.close()
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        out.close()
        raise ZipInvalidError(
            f"member {member.filename!r} is corrupt: {exc}", source=label
        ) from exc
    except NotImplementedError as exc:
        out.close()
        raise ZipInvalidError(f"member {member.filename!r}: {exc}", source=label) from exc
    out.seek(0)
    return out


# --- study / series / instance ---------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    sop_instance_uid: str
    instance_number: int | None
    name: str
    dataset: Dataset = field(repr=False, compare=False)


@dataclass(frozen=True)
class Series:
    series_instance_uid: str
    modality: str | None
    description: str | None
    instances: tuple[Instance, ...]


@dataclass(frozen=True)
class Study:
    study_instance_uid: str
    patient_id: str | None
    patient_name: str | None
    study_date: str | None
    series: tuple[Series, ...]


def group(datasets: Iterable[tuple[str, Dataset]]) -> tuple[Study, ...]:
    """Group (name, dataset) pairs into studies → series → instances (sorted by InstanceNumber,
    then name). The same SOP Instance UID twice is refused (it would be stored twice)."""
    studies: dict[str, dict[str, list[Instance]]] = {}
    first: dict[str, Dataset] = {}
    series_ds: dict[str, Dataset] = {}
    seen: set[str] = set()
    for name, ds in datasets:
        uids = []
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
            value = _get(ds, keyword)
            if not value:
                raise MalformedDicomError(f"missing {keyword}", source=name)
            uids.append(str(value))
        study_uid, series_uid, sop_uid = uids
        if sop_uid in seen:
            raise SeriesError(f"SOP Instance UID {sop_uid} appears twice", source=name)
        seen.add(sop_uid)
        number = _get(ds, "InstanceNumber")
        inst = Instance(sop_uid, int(number) if number is not None else None, name, ds)
        studies.setdefault(study_uid, {}).setdefault(series_uid, []).append(inst)
        first.setdefault(study_uid, ds)
        series_ds.setdefault(series_uid, ds)
    out = []
    for study_uid, series in studies.items():
        ds0 = first[study_uid]
        out.append(
            Study(
                study_uid,
                _str(_get(ds0, "PatientID")),
                _str(_get(ds0, "PatientName")),
                _str(_get(ds0, "StudyDate")),
                tuple(
                    Series(
                        uid,
                        _str(_get(series_ds[uid], "Modality")),
                        _str(_get(series_ds[uid], "SeriesDescription")),
                        tuple(
                            sorted(
                                insts,
                                key=lambda i: (
                                    i.instance_number is None,
                                    i.instance_number or 0,
                                    i.name,
                                ),
                            )
                        ),
                    )
                    for uid, insts in series.items()
                ),
            )
        )
    return tuple(out)


# --- volumes ---------------------------------------------------------------------------------


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


def volume_from_files(paths: Sequence[str | Path]) -> Volume:
    """Build a volume from a slice series on disk, reading one file at a time so the peak memory
    stays near the size of the volume (headers first, then each slice straight into place)."""
    if not paths:
        raise SeriesError("no slices")
    headers: list[Dataset] = []
    for p in paths:
        ds = read(p)
        if "PixelData" not in ds:
            raise NoPixelDataError("slice without pixel data", source=str(p))
        del ds.PixelData  # the header pass keeps no pixels
        headers.append(ds)
    return _assemble(
        headers, lambda i: pixels(read(paths[i]), source=str(paths[i])), [str(p) for p in paths]
    )


def volume_from_datasets(datasets: Sequence[Dataset]) -> Volume:
    """Build a volume from in-memory slices (e.g. a series read from a zip), or from one enhanced
    multi-frame dataset (CT/CBCT with per-frame functional groups)."""
    if len(datasets) == 1 and "PerFrameFunctionalGroupsSequence" in datasets[0]:
        return volume_from_enhanced(datasets[0])
    if not datasets:
        raise SeriesError("no slices")
    labels = [str(_get(d, "SOPInstanceUID", i)) for i, d in enumerate(datasets)]
    return _assemble(list(datasets), lambda i: pixels(datasets[i], source=labels[i]), labels)


def _assemble(headers: Sequence[Dataset], load: Any, labels: Sequence[str]) -> Volume:
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
    out = np.empty((len(order), g0.rows, g0.cols), dtype=dtype)
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


# --- slices, window/level, PNG ---------------------------------------------------------------

Plane = Literal["axial", "coronal", "sagittal"]


@dataclass(frozen=True)
class Slice:
    """A 2-D slice for display: ``pixels[row, col]`` and the mm spacing of its rows and columns
    (coronal/sagittal rows are slice steps; the viewer scales the image by these)."""

    pixels: np.ndarray
    row_spacing_mm: float
    col_spacing_mm: float


def reformat(volume: Volume, plane: Plane, index: int) -> Slice:
    """One slice of the volume, without copying. Axial = acquisition plane ``voxels[index]``;
    coronal = ``voxels[:, index, :]`` and sagittal = ``voxels[:, :, index]``, both flipped so the
    last acquired slice (largest position along the normal; superior for a feet-first-to-head
    axial series in LPS) is at the top. The names assume an axial acquisition."""
    v = volume.voxels
    sz, sy, sx = volume.spacing_mm
    limit = {"axial": v.shape[0], "coronal": v.shape[1], "sagittal": v.shape[2]}.get(plane)
    if limit is None:
        raise ValueError(f"plane must be axial, coronal or sagittal, got {plane!r}")
    if not 0 <= index < limit:
        raise ValueError(f"{plane} index {index} outside 0..{limit - 1}")
    if plane == "axial":
        return Slice(v[index], sy, sx)
    if plane == "coronal":
        return Slice(v[::-1, index, :], sz, sx)
    return Slice(v[::-1, :, index], sz, sy)


def window_to_uint8(values: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM linear VOI window (PS3.3 C.11.2.1.2.1) to 0..255: below ``c − 0.5 − (w − 1)/2`` → 0,
    above ``c − 0.5 + (w − 1)/2`` → 255, linear between. ``width`` ≥ 1."""
    if not (width >= 1 and math.isfinite(width) and math.isfinite(center)):
        raise ValueError("window width must be ≥ 1 and center finite")
    scale = np.float32(255.0 / (width - 1)) if width > 1 else np.float32(1e9)
    offset = np.float32(center - 0.5 - (width - 1) / 2)
    out = values.astype(np.float32)
    out -= offset
    out *= scale
    np.clip(out, 0, 255, out=out)
    return np.rint(out, out=out).astype(np.uint8)


def render_slice(volume: Volume, plane: Plane, index: int, center: float, width: float) -> Slice:
    """``reformat`` then ``window_to_uint8``: the 8-bit slice the viewer is served."""
    s = reformat(volume, plane, index)
    return Slice(window_to_uint8(s.pixels, center, width), s.row_spacing_mm, s.col_spacing_mm)


def to_png(image: np.ndarray) -> bytes:
    """Encode an 8-bit grey (rows, cols) or RGB (rows, cols, 3) array as PNG bytes."""
    from PIL import Image

    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError("to_png needs a uint8 grey or RGB array")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG")
    return buf.getvalue()


def image_png(
    ds: Dataset,
    *,
    frame: int = 0,
    center: float | None = None,
    width: float | None = None,
    source: str | None = None,
) -> bytes:
    """Render one frame of a dataset to PNG: Modality LUT (rescale), then the given window, else
    the file's first WindowCenter/WindowWidth, else the frame's min..max. MONOCHROME1 is inverted
    so that higher attenuation is always white; colour images are converted to RGB as stored."""
    arr = pixels(ds, source=source)
    frames = int(_get(ds, "NumberOfFrames", 1) or 1)
    spp = int(_get(ds, "SamplesPerPixel", 1))
    if frames > 1:
        if not 0 <= frame < frames:
            raise ValueError(f"frame {frame} outside 0..{frames - 1}")
        arr = arr[frame]
    if spp == 3:
        # pydicom 3 returns YCbCr images already converted to RGB (pixel_array's as_rgb default).
        if arr.dtype != np.uint8:
            arr = (arr >> (int(_get(ds, "BitsStored", 8)) - 8)).astype(np.uint8)
        return to_png(arr)
    values = arr.astype(np.float32) * float(_get(ds, "RescaleSlope", 1.0)) + float(
        _get(ds, "RescaleIntercept", 0.0)
    )
    if center is None or width is None:
        wc, ww = _get(ds, "WindowCenter"), _get(ds, "WindowWidth")
        if wc is not None and ww is not None:
            center = float(_floats(wc)[0])  # type: ignore[index]
            width = float(_floats(ww)[0])  # type: ignore[index]
        else:
            lo, hi = float(values.min()), float(values.max())
            center, width = (lo + hi) / 2 + 0.5, max(hi - lo + 1, 1.0)
    out = window_to_uint8(values, center, width)
    if _get(ds, "PhotometricInterpretation") == "MONOCHROME1":
        out = 255 - out
    return to_png(out)


# --- de-identification (PS3.15 Annex E, Basic Application Level Confidentiality Profile) -------

# Action codes of PS3.15 Table E.1-1 as applied here: "Z" → empty value, "X" → removed,
# "U" → every non-well-known UID replaced consistently (see _replace_uids). Where the table allows
# a choice (X/Z, X/D, Z/D, X/Z/D …) the strictest practical option is taken.
DEID_EMPTY: tuple[str, ...] = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "ReferringPhysicianName",
    "StudyID",
    "ContentCreatorName",
)
DEID_REMOVE: tuple[str, ...] = (
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "StationName",
    "PerformingPhysicianName",
    "OperatorsName",
    "PhysiciansOfRecord",
    "NameOfPhysiciansReadingStudy",
    "RequestingPhysician",
    "ReferringPhysicianAddress",
    "ReferringPhysicianTelephoneNumbers",
    "OtherPatientIDs",
    "OtherPatientNames",
    "OtherPatientIDsSequence",
    "PatientBirthName",
    "PatientBirthTime",
    "PatientAge",
    "PatientSize",
    "PatientWeight",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "PatientMotherBirthName",
    "MedicalRecordLocator",
    "EthnicGroup",
    "Occupation",
    "AdditionalPatientHistory",
    "PatientComments",
    "MilitaryRank",
    "BranchOfService",
    "CountryOfResidence",
    "RegionOfResidence",
    "ResponsiblePerson",
    "ResponsibleOrganization",
    "PatientInsurancePlanCodeSequence",
    "StudyDescription",
    "SeriesDescription",
    "ImageComments",
    "DerivationDescription",
    "RequestAttributesSequence",
    "ReferencedPatientSequence",
    "ReferencedStudySequence",
    "DeviceSerialNumber",
    "ProtocolName",
    "PerformedProcedureStepDescription",
    "PerformedProcedureStepID",
    "PerformedProcedureStepStartDate",
    "PerformedProcedureStepStartTime",
    "ScheduledProcedureStepDescription",
    "RequestedProcedureDescription",
    "AdmittingDiagnosesDescription",
    "SeriesDate",
    "SeriesTime",
    "AcquisitionDate",
    "AcquisitionTime",
    "AcquisitionDateTime",
    "ContentDate",
    "ContentTime",
    "InstanceCreationDate",
    "InstanceCreationTime",
    "IssuerOfPatientID",
    "PatientState",
    "PregnancyStatus",
    "SmokingStatus",
    "Allergies",
    "MedicalAlerts",
    "TextString",
    "TextComments",
    "PersonName",
    "IdentifyingComments",
    "InterpretationText",
    "ReasonForStudy",
    "RequestingService",
    "CurrentPatientLocation",
    "PatientInstitutionResidence",
    "AdmissionID",
    "ServiceEpisodeID",
    "VisitComments",
    "FillerOrderNumberImagingServiceRequest",
    "PlacerOrderNumberImagingServiceRequest",
    "OperatorIdentificationSequence",
    "PerformingPhysicianIdentificationSequence",
    "PhysiciansOfRecordIdentificationSequence",
    "ReferringPhysicianIdentificationSequence",
    "SourceImageSequence",
    "ReferencedPerformedProcedureStepSequence",
    "StorageMediaFileSetUID",
)
DEID_METHOD = "PS3.15 Basic Profile (AtlasChart)"  # LO: at most 64 characters


def _replace_uids(ds: Dataset, salt: str) -> None:
    well_known = set(UID_DICTIONARY_KEYS())
    for elem in ds.iterall():
        if elem.VR != "UI" or elem.value in (None, ""):
            continue
        if elem.keyword in ("SOPClassUID", "ReferencedSOPClassUID", "TransferSyntaxUID"):
            continue
        values = elem.value if elem.VM > 1 else [elem.value]
        new = [
            v if str(v) in well_known else generate_uid(entropy_srcs=[salt, str(v)]) for v in values
        ]
        elem.value = new if elem.VM > 1 else new[0]


def UID_DICTIONARY_KEYS() -> Iterator[str]:
    from pydicom._uid_dict import UID_dictionary

    return iter(UID_dictionary)


def deidentify(
    ds: Dataset, *, salt: str, pseudonym: str = "", keep_uids: bool = False
) -> tuple[Dataset, tuple[str, ...]]:
    """A de-identified copy of ``ds`` (the original is not changed) and warnings.

    Handled (module constants): attributes emptied (``DEID_EMPTY``, PatientID set to
    ``pseudonym``), attributes removed (``DEID_REMOVE``) at every nesting level, all private
    elements removed, overlay data/comments (60xx,3000/4000) and curves (50xx) removed, every UID
    that is not a well-known DICOM UID replaced by a UID derived from ``salt`` + the original (so
    a study keeps its internal references and the same salt maps it the same way again),
    PatientIdentityRemoved = YES, DeidentificationMethod and its code sequence (DCM 113100).
    Not handled, so reported as warnings: text burned into the pixels (``burned-in-annotation``
    when BurnedInAnnotation is not NO).
    """
    out = copy.deepcopy(ds)
    if not hasattr(out, "file_meta"):
        out.file_meta = FileMetaDataset()
    out.remove_private_tags()

    def clean(d: Dataset) -> None:
        for keyword in DEID_REMOVE:
            if keyword in d:
                delattr(d, keyword)
        for keyword in DEID_EMPTY:
            if keyword in d:
                d.data_element(keyword).value = ""  # type: ignore[union-attr]
        for tag in list(d.keys()):
            group_ = tag.group
            if (0x6000 <= group_ <= 0x60FF and tag.element in (0x3000, 0x4000)) or (
                0x5000 <= group_ <= 0x50FF
            ):
                del d[tag]
        for elem in list(d):
            if elem.VR == "SQ" and isinstance(elem.value, DicomSequence):
                for item in elem.value:
                    clean(item)

    clean(out)
    if pseudonym:
        out.PatientID = pseudonym
    if not keep_uids:
        _replace_uids(out, salt)
        if "SOPInstanceUID" in out:
            out.file_meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = DEID_METHOD
    code = Dataset()
    code.CodeValue = "113100"
    code.CodingSchemeDesignator = "DCM"
    code.CodeMeaning = "Basic Application Confidentiality Profile"
    out.DeidentificationMethodCodeSequence = DicomSequence([code])
    warnings = []
    if str(_get(ds, "BurnedInAnnotation", "")).upper() != "NO" and "PixelData" in ds:
        warnings.append("burned-in-annotation")
    return out, tuple(warnings)
