"""Reading one DICOM Part 10 file, decoding its pixels, and its JSON-ready summary."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import IO, Any

import numpy as np
from pydicom import Dataset, dcmread
from pydicom.dataelem import RawDataElement
from pydicom.errors import InvalidDicomError
from pydicom.pixels.decoders.base import get_decoder
from pydicom.uid import UID

from atlaschart.imaging.dicom.errors import (
    DecodeError,
    MalformedDicomError,
    NoPixelDataError,
    NotDicomError,
    TooLargeError,
    TruncatedDicomError,
    UnsupportedTransferSyntaxError,
)
from atlaschart.measure.radiograph.calibration import calibration_from_dicom

DICM_OFFSET = 128
DEFAULT_MAX_FILE_BYTES = 2 * 1024**3


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
