"""Synthetic DICOM files, series and zips made with pydicom, and a modality's C-STORE (pynetdicom).

Each file names the personas' chart (``Kim^Minjun``, ``000001``) unless told otherwise, so an
import into ``personas.patient`` needs no identity confirmation.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE

#: pydicom's bundled CT slice: 128 x 128, signed 16-bit, PixelSpacing 0.661468 mm.
CT_SMALL = Path(get_testdata_file("CT_small.dcm"))


def saved(ds: Dataset) -> bytes:
    """``ds`` as the bytes of a DICOM file (with its file meta)."""
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _base(sop_class: str, study: str, series: str) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = sop_class, generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.PatientName, ds.PatientID = "Kim^Minjun", "000001"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    return ds


def plain(
    modality: str,
    sop_class: str,
    rows: int,
    cols: int,
    study: str,
    series: str,
    z: float | None = None,
    number: int = 1,
) -> bytes:
    """An image of zeros of any class, spacing 0.5 mm; axial at ``z`` mm when given."""
    ds = _base(sop_class, study, series)
    ds.Modality, ds.Rows, ds.Columns, ds.InstanceNumber = modality, rows, cols, number
    ds.PixelSpacing = [0.5, 0.5]
    if z is not None:
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0, 0, z]
    ds.PixelData = np.zeros((rows, cols), np.uint16).tobytes()
    return saved(ds)


def dx(spacing_keyword: str = "PixelSpacing") -> bytes:
    """A 320 x 320 DX radiograph of zeros, spacing 0.5 mm in ``spacing_keyword``."""
    ds = _base("1.2.840.10008.5.1.4.1.1.1.1", generate_uid(), generate_uid())
    ds.Modality, ds.Rows, ds.Columns = "DX", 320, 320
    setattr(ds, spacing_keyword, [0.5, 0.5])
    ds.PixelData = np.zeros((320, 320), np.uint16).tobytes()
    return saved(ds)


def dx_columns(name: str = "Kim^Minjun", pid: str = "000001", size: int = 320) -> bytes:
    """A synthetic DX image: 16-bit, PixelSpacing 0.5 mm, value = column index (0..size-1)."""
    ds = _base("1.2.840.10008.5.1.4.1.1.1.1", generate_uid(), generate_uid())
    ds.PatientName, ds.PatientID, ds.Modality, ds.StudyDate = name, pid, "DX", "20240105"
    ds.Rows = ds.Columns = size
    ds.PixelSpacing = [0.5, 0.5]
    ds.PixelData = np.tile(np.arange(size, dtype=np.uint16), (size, 1)).tobytes()
    return saved(ds)


def ct_series(n: int = 4) -> list[bytes]:
    """n axial 8x6 slices, 2.5 mm apart (z = 10, 12.5, ...), pixel spacing 0.4 (rows) x 0.5."""
    study, series = generate_uid(), generate_uid()
    out = []
    for k in range(n):
        ds = _base("1.2.840.10008.5.1.4.1.1.2", study, series)
        ds.Modality, ds.Rows, ds.Columns, ds.InstanceNumber = "CT", 6, 8, k + 1
        ds.PixelSpacing = [0.4, 0.5]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0, 0, 10 + 2.5 * k]
        ds.SliceThickness = 1.0  # not the step: the step comes from the positions
        ds.PixelData = np.full((6, 8), k, np.uint16).tobytes()
        out.append(saved(ds))
    return out


def image(modality: str, rows: int, cols: int, study: str, series: str, k: int = 0) -> bytes:
    """Slice ``k`` of a series (CT Image Storage class whatever the ``modality``): spacing 0.5 mm,
    axial, 2.5 mm apart along z, every pixel ``k``."""
    ds = _base("1.2.840.10008.5.1.4.1.1.2", study, series)
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = modality
    ds.Rows, ds.Columns, ds.InstanceNumber = rows, cols, k + 1
    ds.PixelSpacing = [0.5, 0.5]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0, 0, 2.5 * k]
    ds.PixelData = np.full((rows, cols), k, np.uint16).tobytes()
    return saved(ds)


def ct_slices(
    n: int, *, size: int = 128, name: str = "Kim^Minjun", pid: str = "000001"
) -> list[bytes]:
    """``n`` axial slices of one new series, made from CT_small (128×128, signed 16-bit, pixel
    spacing 0.661468 mm): positions 1.25 mm apart along z, pixels CT_small's + k (so every slice
    is its own file), tiled to ``size``² when larger. Named like the personas' chart."""
    base = dcmread(CT_SMALL)
    pixels = base.pixel_array
    if size != pixels.shape[0]:
        reps = -(-size // pixels.shape[0])
        pixels = np.tile(pixels, (reps, reps))[:size, :size]
    study, series = generate_uid(), generate_uid()
    out = []
    for k in range(n):
        ds = dcmread(CT_SMALL)
        ds.PatientName, ds.PatientID = name, pid
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.InstanceNumber = k + 1
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0.0, 0.0, 1.25 * k]
        ds.Rows = ds.Columns = size
        ds.PixelData = (pixels + k).astype(np.int16).tobytes()
        out.append(saved(ds))
    return out


def zipped(slices: list[bytes], *, extra: dict[str, bytes] | None = None) -> bytes:
    """A deflated zip of ``slices`` as ``CBCT/IM0000.dcm``, ... and the ``extra`` members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, data in enumerate(slices):
            zf.writestr(f"CBCT/IM{k:04d}.dcm", data)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def scanned_ct(
    patient_id: str = "000001", name: str = "Kim^Minjun", *, study: str | None = None
) -> Dataset:
    """CT_small.dcm as a scanner sends it for this patient (new UIDs: a new study, unless
    ``study`` names one), a dataset for :func:`c_store`."""
    ds = dcmread(CT_SMALL)
    ds.PatientID, ds.PatientName = patient_id, name
    ds.StudyInstanceUID = study or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def c_store(
    port: int, called: str, datasets: list[Any], *, calling: str = "XRAY-ROOM1"
) -> list[int]:
    """Associate with the Storage SCP on 127.0.0.1:``port`` as a modality would (AE title
    ``calling``, calling ``called``), C-STORE each dataset, release; the statuses in order."""
    ae = AE(ae_title=calling)
    for ds in datasets:
        ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
    assoc = ae.associate("127.0.0.1", port, ae_title=called)
    assert assoc.is_established, "association refused"
    statuses = [int(assoc.send_c_store(ds).Status) for ds in datasets]
    assoc.release()
    return statuses
