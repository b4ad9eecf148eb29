"""DICOM adapter on the real files pydicom ships, plus synthetic series, broken files and zips."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from atlaschart.cli import main
from atlaschart.imaging import dicom

# Files bundled inside the pydicom wheel (pydicom/data/test_files); get_testdata_file would try
# the network for the others, so the tests name the directory directly and stay offline.
DATA = Path(pydicom.__file__).parent / "data" / "test_files"


def f(name: str) -> Path:
    return DATA / name


# (file, transfer syntax name, shape) as documented in pydicom's test_files/README.txt.
DECODABLE = [
    pytest.param("CT_small.dcm", "Explicit VR Little Endian", (128, 128), id="ct-native"),
    pytest.param("MR_small.dcm", "Explicit VR Little Endian", (64, 64), id="mr-native"),
    pytest.param("JPEG2000.dcm", "JPEG 2000 Image Compression", (1024, 256), id="jpeg2000"),
    pytest.param(
        "MR_small_jp2klossless.dcm",
        "JPEG 2000 Image Compression (Lossless Only)",
        (64, 64),
        id="jpeg2000-lossless",
    ),
    pytest.param(
        "MR_small_jpeg_ls_lossless.dcm",
        "JPEG-LS Lossless Image Compression",
        (64, 64),
        id="jpeg-ls",
    ),
    pytest.param("MR_small_RLE.dcm", "RLE Lossless", (64, 64), id="rle"),
    pytest.param(
        "JPGExtended.dcm", "JPEG Extended (Process 2 and 4)", (1024, 256), id="jpeg-extended"
    ),
    pytest.param(
        "SC_rgb_jpeg_dcmtk.dcm", "JPEG Baseline (Process 1)", (100, 100, 3), id="jpeg-baseline"
    ),
]


@pytest.mark.parametrize(("name", "syntax", "shape"), DECODABLE)
def test_bundled_files_decode(name: str, syntax: str, shape: tuple[int, ...]) -> None:
    out = dicom.info(f(name))
    assert out["transfer_syntax"] == syntax
    assert out["decodable"] is True
    assert tuple(out["pixel_shape"]) == shape


def test_lossless_codecs_match_the_native_pixels() -> None:
    # The same MR image, stored natively and by three lossless codecs, must decode identically.
    native = dicom.pixels(dicom.read(f("MR_small.dcm")))
    for name in ("MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm"):
        np.testing.assert_array_equal(dicom.pixels(dicom.read(f(name))), native)


def test_ct_small_summary() -> None:
    out = dicom.info(f("CT_small.dcm"))
    assert out["modality"] == "CT"
    assert out["calibration"]["spacing_source"] == "PixelSpacing"
    # CT_small.dcm PixelSpacing is [0.661468, 0.661468] (read with dcmdump-like tools).
    assert out["pixel_spacing_mm"] == pytest.approx([0.661468, 0.661468])
    json.dumps(out)  # JSON-ready


@pytest.mark.parametrize(
    ("source", "error"),
    [
        pytest.param(f("MR_truncated.dcm"), dicom.TruncatedDicomError, id="pydicom-truncated"),
        pytest.param(f("no_meta.dcm"), dicom.NotDicomError, id="no-part10-header"),
        pytest.param(f("JPEG-lossy.dcm"), dicom.DecodeError, id="bad-jpeg-stream"),
    ],
)
def test_broken_bundled_files(source: Path, error: type[dicom.DicomError]) -> None:
    with pytest.raises(error):
        dicom.info(source)


def test_truncated_copy_is_reported(tmp_path: Path) -> None:
    raw = f("CT_small.dcm").read_bytes()
    for cut in (1001, 5000, len(raw) - 100):
        p = tmp_path / f"cut{cut}.dcm"
        p.write_bytes(raw[:cut])
        with pytest.raises(dicom.TruncatedDicomError):
            dicom.info(p)


def test_not_dicom_and_no_pixels(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 100)
    with pytest.raises(dicom.NotDicomError) as exc:
        dicom.info(text)
    assert exc.value.code == "not-dicom"
    with pytest.raises(dicom.NoPixelDataError):
        dicom.pixels(dicom.read(f("rtplan.dcm")))


def test_unsupported_transfer_syntax(tmp_path: Path) -> None:
    ds = dicom.read(f("MR_small.dcm"))
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"  # MPEG2, no decoder installed
    with pytest.raises(dicom.UnsupportedTransferSyntaxError):
        dicom.pixels(ds)


def test_too_large(tmp_path: Path) -> None:
    with pytest.raises(dicom.TooLargeError):
        dicom.read(f("CT_small.dcm"), max_bytes=1000)


# --- synthetic CT series ---------------------------------------------------------------------


def ct_slice(
    z: float,
    value: int,
    *,
    study: str,
    series: str,
    number: int,
    spacing: tuple[float, float] = (0.5, 0.25),
    size: tuple[int, int] = (4, 6),
) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.Modality = "CT"
    ds.PatientName, ds.PatientID = "Doe^Jane", "P-123"
    ds.InstanceNumber = number
    ds.Rows, ds.Columns = size
    ds.PixelSpacing = list(spacing)
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [-10.0, -20.0, z]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    arr = np.full(size, value, dtype=np.uint16)
    arr[0, 0] = value + 1  # marks the top-left corner
    ds.PixelData = arr.tobytes()
    return ds


def write_series(tmp_path: Path, zs: list[float]) -> list[Path]:
    study, series = generate_uid(), generate_uid()
    paths = []
    for i, z in enumerate(zs):
        p = tmp_path / f"s{i}.dcm"
        # Stored value encodes the slice position: 1024 + 10·z -> HU = 10·z after the intercept.
        ct_slice(z, 1024 + int(10 * z), study=study, series=series, number=i + 1).save_as(
            p, enforce_file_format=True
        )
        paths.append(p)
    return paths


def test_volume_sorted_along_normal_with_spacing_from_positions(tmp_path: Path) -> None:
    # Files given out of order; positions 0, 2.5, 5, 7.5 -> slice step 2.5 mm (not SliceThickness).
    paths = write_series(tmp_path, [5.0, 0.0, 7.5, 2.5])
    vol = dicom.volume_from_files(paths)
    assert vol.voxels.shape == (4, 4, 6)
    assert vol.voxels.dtype == np.int16  # slope 1, integer intercept -> stays int16
    assert vol.spacing_mm == pytest.approx((2.5, 0.5, 0.25))
    assert vol.voxels[:, 1, 1].tolist() == [0, 25, 50, 75]  # HU = 10·z, increasing z
    assert vol.origin_mm == pytest.approx((-10.0, -20.0, 0.0))
    # Voxel (k=1, row=2, col=4): x = -10 + 4·0.25, y = -20 + 2·0.5, z = 0 + 1·2.5.
    assert vol.voxel_to_patient_mm(1, 2, 4) == pytest.approx((-9.0, -19.0, 2.5))


def test_reformat_planes_and_spacing(tmp_path: Path) -> None:
    vol = dicom.volume_from_files(write_series(tmp_path, [0.0, 2.5, 5.0]))
    axial = dicom.reformat(vol, "axial", 2)
    assert (axial.pixels.shape, axial.row_spacing_mm, axial.col_spacing_mm) == ((4, 6), 0.5, 0.25)
    coronal = dicom.reformat(vol, "coronal", 1)
    # Rows are slices, last (z = 5 -> 50 HU) on top.
    assert coronal.pixels.shape == (3, 6) and coronal.pixels[:, 1].tolist() == [50, 25, 0]
    assert (coronal.row_spacing_mm, coronal.col_spacing_mm) == (2.5, 0.25)
    sagittal = dicom.reformat(vol, "sagittal", 0)
    assert sagittal.pixels.shape == (3, 4) and (
        sagittal.row_spacing_mm,
        sagittal.col_spacing_mm,
    ) == (2.5, 0.5)
    with pytest.raises(ValueError):
        dicom.reformat(vol, "coronal", 4)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # PS3.3 C.11.2.1.2.1 with c = 40, w = 401: x ≤ c-0.5-(w-1)/2 = -160.5 -> 0;
        # x > c-0.5+(w-1)/2 = 239.5 -> 255; else ((x - 39.5)/400 + 0.5)·255.
        (-1000, 0),
        (-160.5, 0),
        (39.5, 128),
        (239.5, 255),
        (1000, 255),
        (139.5, 191),
    ],
)
def test_window_linear_function(value: float, expected: int) -> None:
    # 39.5 -> 127.5 -> rint to even 128; 139.5 -> (0.25 + 0.5)·255 = 191.25 -> 191.
    assert dicom.window_to_uint8(np.array([value]), 40, 401)[0] == expected


def test_irregular_and_duplicate_slices_refused(tmp_path: Path) -> None:
    with pytest.raises(dicom.SeriesError, match="same position"):
        dicom.volume_from_files(write_series(tmp_path, [0.0, 2.5, 2.5]))
    with pytest.raises(dicom.SeriesError, match="irregular"):
        dicom.volume_from_files(write_series(tmp_path, [0.0, 2.5, 5.0, 10.0]))


def test_enhanced_multiframe_volume() -> None:
    base = ct_slice(0, 0, study=generate_uid(), series=generate_uid(), number=1)
    frames = []
    for z in (4.0, 0.0, 2.0):  # stored out of order
        fg = Dataset()
        pos = Dataset()
        pos.ImagePositionPatient = [0.0, 0.0, z]
        fg.PlanePositionSequence = DicomSequence([pos])
        frames.append(fg)
    shared = Dataset()
    measures, orient = Dataset(), Dataset()
    measures.PixelSpacing = [0.3, 0.3]
    orient.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    shared.PixelMeasuresSequence = DicomSequence([measures])
    shared.PlaneOrientationSequence = DicomSequence([orient])
    base.SharedFunctionalGroupsSequence = DicomSequence([shared])
    base.PerFrameFunctionalGroupsSequence = DicomSequence(frames)
    base.NumberOfFrames = 3
    base.PixelRepresentation = 1
    stack = np.stack([np.full((4, 6), v, dtype=np.int16) for v in (40, 0, 20)])
    base.PixelData = stack.tobytes()
    del base.RescaleSlope, base.RescaleIntercept
    vol = dicom.volume_from_datasets([base])
    assert vol.spacing_mm == pytest.approx((2.0, 0.3, 0.3))
    assert vol.voxels[:, 0, 1].tolist() == [0, 20, 40]


def test_group_study_series_instance() -> None:
    study = generate_uid()
    s1, s2 = generate_uid(), generate_uid()
    items = [
        (f"f{i}", ct_slice(i, 0, study=study, series=s1 if i < 2 else s2, number=5 - i))
        for i in range(3)
    ]
    (grouped,) = dicom.group(items)
    assert grouped.patient_id == "P-123"
    assert [len(s.instances) for s in grouped.series] == [2, 1]
    assert [i.instance_number for i in grouped.series[0].instances] == [4, 5]
    with pytest.raises(dicom.SeriesError):
        dicom.group([items[0], items[0]])


def test_png_rendering() -> None:
    png = dicom.image_png(dicom.read(f("CT_small.dcm")))
    img = Image.open(io.BytesIO(png))
    assert (img.size, img.mode) == ((128, 128), "L")
    rgb = Image.open(io.BytesIO(dicom.image_png(dicom.read(f("SC_rgb_jpeg_dcmtk.dcm")))))
    assert rgb.mode == "RGB"


def test_deidentify_basic_profile() -> None:
    ds = dicom.read(f("CT_small.dcm"))
    ds.InstitutionName = "Clinic"
    ds.add_new(0x00091001, "LO", "private")
    original_study = ds.StudyInstanceUID
    out, warnings = dicom.deidentify(ds, salt="s1", pseudonym="ANON-7")
    assert out.PatientName == "" and out.PatientID == "ANON-7"
    assert "InstitutionName" not in out and 0x00091001 not in out
    assert out.PatientIdentityRemoved == "YES"
    assert out.DeidentificationMethodCodeSequence[0].CodeValue == "113100"
    assert out.StudyInstanceUID != original_study
    assert out.SOPClassUID == ds.SOPClassUID  # well-known UIDs stay
    # Same salt -> same mapping (study references stay consistent across files).
    again, _ = dicom.deidentify(ds, salt="s1")
    assert again.StudyInstanceUID == out.StudyInstanceUID
    assert ds.InstitutionName == "Clinic"  # the original is untouched
    assert warnings == ("burned-in-annotation",)  # CT_small does not say NO


# --- zips ------------------------------------------------------------------------------------


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_zip_study_reads_dicom_and_skips_others(tmp_path: Path) -> None:
    z = make_zip(
        tmp_path / "study.zip",
        {
            "a/CT_small.dcm": f("CT_small.dcm").read_bytes(),
            "a/MR_small.dcm": f("MR_small.dcm").read_bytes(),
            "README.txt": b"hello",
        },
    )
    contents = dicom.read_zip(z)
    assert [n for n, _ in contents.datasets] == ["a/CT_small.dcm", "a/MR_small.dcm"]
    assert contents.skipped == (("README.txt", "not-dicom"),)


@pytest.mark.parametrize(
    "name", ["../evil.dcm", "/etc/evil.dcm", "a/../../evil.dcm", "C:\\evil.dcm", "..\\evil.dcm"]
)
def test_zip_path_traversal_refused(tmp_path: Path, name: str) -> None:
    z = make_zip(tmp_path / "t.zip", {name: f("CT_small.dcm").read_bytes()})
    with pytest.raises(dicom.ZipTraversalError):
        dicom.read_zip(z)


def test_zip_bomb_refused(tmp_path: Path) -> None:
    # 64 MiB of zeros deflates to ~64 KiB: ratio ~1000 > 100.
    z = make_zip(tmp_path / "bomb.zip", {"zeros.dcm": bytes(64 * 1024 * 1024)})
    with pytest.raises(dicom.ZipBombError):
        dicom.read_zip(z)
    # Total cap: two honest members over a 50 KB total limit.
    z2 = make_zip(
        tmp_path / "big.zip",
        {"a.dcm": f("CT_small.dcm").read_bytes(), "b.dcm": f("CT_small.dcm").read_bytes()},
    )
    with pytest.raises(dicom.ZipBombError):
        dicom.read_zip(z2, dicom.ZipLimits(max_total_bytes=50_000))


def test_zip_lying_about_its_size(tmp_path: Path) -> None:
    # Patch the declared uncompressed size in both headers down to 10 bytes: the reader must
    # count actual inflated bytes rather than trust the header.
    z = make_zip(tmp_path / "liar.zip", {"x.dcm": bytes(5000)})
    raw = bytearray(z.read_bytes())
    lh = raw.find(b"PK\x03\x04")
    raw[lh + 22 : lh + 26] = (10).to_bytes(4, "little")
    cd = raw.find(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    z.write_bytes(bytes(raw))
    with pytest.raises((dicom.ZipBombError, dicom.ZipInvalidError)):
        dicom.read_zip(z)


def test_not_a_zip(tmp_path: Path) -> None:
    p = tmp_path / "x.zip"
    p.write_bytes(b"nope")
    with pytest.raises(dicom.ZipInvalidError):
        dicom.read_zip(p)


# --- CLI -------------------------------------------------------------------------------------


def test_cli_info_ok_and_bad(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["dicom", "info", str(f("CT_small.dcm"))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["modality"] == "CT"
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"x" * 200)
    assert main(["dicom", "info", str(f("MR_small.dcm")), str(bad)]) == 2
    captured = capsys.readouterr()
    listed = json.loads(captured.out)
    assert listed[1]["error"]["code"] == "not-dicom"
    assert "not-dicom" in captured.err and captured.err.count("\n") == 1


def test_cli_subprocess() -> None:
    exe = Path(sys.executable).with_name("atlaschart")
    proc = subprocess.run(
        [str(exe), "dicom", "info", str(f("MR_truncated.dcm"))],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "truncated" in proc.stderr
