"""Landmarks placed on a radiograph, as the analysis editor posts them (image pixels, flat
names: ``skull_pairs.1.right``, ``apl_left``, ...), with the values they give worked by hand;
and the radiograph the browser journeys place them on (``nasium_radiograph``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from tests.builders.dicom import saved

# Synthetic nasium landmarks (image px, spacing 0.5 mm both ways, no plumb line -> image up).
# Skull pair midpoints all at x = 160: the central skull line is vertical, c = up = (0, 1) in the
# y-up mm frame, patient-left l = +x, so p = (1, 0). APL: right end (100, 200), left (212, 180):
# a = (112*0.5, (200-180)*0.5) = (56, 10) mm; s = atan2(a.c, a.p) = atan2(10, 56)
# = atan(0.178571) = 10.1247 deg -> 10.12, left (s > 0: the left end is higher; docs/radiograph.md).
NASIUM = {
    "skull_pairs.1.right": [80, 60],
    "skull_pairs.1.left": [240, 60],
    "skull_pairs.2.right": [80, 260],
    "skull_pairs.2.left": [240, 260],
    "apl_right": [100, 200],
    "apl_left": [212, 180],
}

#: The side of the square radiograph ``nasium_radiograph`` writes, in image pixels.
SIZE = 320


def nasium_radiograph(path: Path) -> None:
    """Write to ``path`` a 320 x 320 DX of the personas' chart (``Kim^Minjun``, ``000001``),
    PixelSpacing 0.5 mm, with a bright oval "skull" centred on x = 160: the film a clinician
    places ``NASIUM`` on in the browser."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = (
        meta.MediaStorageSOPClassUID,
        meta.MediaStorageSOPInstanceUID,
    )
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientName, ds.PatientID, ds.Modality = "Kim^Minjun", "000001", "DX"
    ds.Rows = ds.Columns = SIZE
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelSpacing = [0.5, 0.5]
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    skull = ((xx - 160) ** 2 / 90**2 + (yy - 150) ** 2 / 120**2) < 1
    ds.PixelData = (skull * 800 + xx).astype(np.uint16).tobytes()
    path.write_bytes(saved(ds))
