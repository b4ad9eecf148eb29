"""Upload limits on .zip studies (docs/imaging.md, "Upload limits"): a compression-ratio bomb, a
member over the per-file limit, a request over its uncompressed budget, too many members and a
nested zip are each refused with a clear message, storing nothing and leaving no temporary file;
an ordinary series still imports. Limits are made small through settings so the files stay tiny."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from django.urls import reverse
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
from tests.builders.uploads import upload

import atlaschart.web.celery  # noqa: F401  (the project's Celery app: jobs run eagerly in tests)
from atlaschart.imaging import dicom
from atlaschart.imaging_studies.models import Blob, Instance, Study

STUDY, SERIES = generate_uid(), generate_uid()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def extract_dir(settings, tmp_path) -> Path:
    """Members spill to disk past one byte, so every test exercises the temporary files."""
    folder = tmp_path / "extract"
    folder.mkdir()
    settings.IMAGING_UPLOAD_TEMP_DIR = str(folder)
    settings.IMAGING_ZIP_SPOOL_BYTES = 1
    return folder


def ct_slice(k: int, *, size: int = 64, zeros: bool = False) -> bytes:
    """One CT slice of the patient's series: 16-bit, ``size``² pixels (zeros compress ~1000×)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = STUDY, SERIES
    ds.PatientName, ds.PatientID, ds.Modality, ds.InstanceNumber = "Kim^Minjun", "000001", "CT", k
    ds.Rows = ds.Columns = size
    ds.PixelSpacing = [0.3, 0.3]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0, 0, 0.3 * k]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    rng = np.random.default_rng(k)
    pixels = np.zeros((size, size), np.uint16) if zeros else rng.integers(0, 4096, (size, size))
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method, compresslevel=9 if method else None) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def open_files_in(folder: Path) -> list[str]:
    """This process's open descriptors inside ``folder`` (an unclosed temporary file shows here
    even after it has been unlinked)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def assert_nothing_left(media: Path, extract_dir: Path) -> None:
    assert Study.objects.count() == 0 and Instance.objects.count() == 0
    assert Blob.objects.count() == 0
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []
    assert list(extract_dir.iterdir()) == [] and open_files_in(extract_dir) == []


def test_the_93_kb_bomb_of_the_issue_is_refused_before_inflating(
    personas, media, extract_dir
) -> None:
    # The issue's case: 60 slices of 720×720 zeros (1.0 MB each, just under the old 1 MiB ratio
    # floor) deflate to ~1.5 KB each; each member and the archive expand ~700×.
    archive = make_zip({f"s{k:03d}.dcm": ct_slice(k, size=720, zeros=True) for k in range(60)})
    assert len(archive) < 100_000
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("bomb.zip", archive))
    text = r.content.decode()
    assert "a possible zip bomb" in text and "Nothing was imported." in text
    assert_nothing_left(media, extract_dir)


def test_a_bomb_of_many_small_members_is_refused_by_the_archive_ratio(
    personas, media, extract_dir
) -> None:
    # 1,500 members of 60 KB zeros: each under the per-member ratio floor (64 KiB), so only
    # the archive's ratio (90 MB from ~150 KB of deflate data) sees the bomb.
    archive = make_zip({f"z{k:04d}.dcm": bytes(60_000) for k in range(1500)})
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert max(m.file_size for m in zf.infolist()) < dicom.ZipLimits().ratio_floor
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("many.zip", archive))
    assert "a possible zip bomb" in r.content.decode()
    assert_nothing_left(media, extract_dir)


def test_a_header_that_understates_a_member_is_caught_while_inflating(
    personas, media, extract_dir
) -> None:
    # The central directory and local header claim 1,000 bytes for 40 KB: the declared checks
    # pass, the chunk count stops it.
    archive = bytearray(make_zip({"ok.dcm": ct_slice(1), "liar.dcm": bytes(40_000)}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = archive.rfind(signature)  # the second member's header of each kind
        archive[at + offset : at + offset + 4] = (1000).to_bytes(4, "little")
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("liar.zip", bytes(archive)))
    text = r.content.decode()
    assert "Nothing was imported." in text
    assert_nothing_left(media, extract_dir)


def test_one_high_ratio_member_is_refused(personas, media, extract_dir) -> None:
    archive = make_zip({"ok.dcm": ct_slice(1), "zeros.dcm": ct_slice(2, size=512, zeros=True)})
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("b.zip", archive))
    assert "a possible zip bomb" in r.content.decode()
    assert_nothing_left(media, extract_dir)


def test_a_member_over_the_per_file_limit(personas, media, extract_dir, settings) -> None:
    settings.IMAGING_ZIP_MAX_MEMBER_BYTES = 20_000
    big = ct_slice(1, size=128)  # 32 KiB of pixels, stored: the ratio is 1
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("s.zip", make_zip({"a.dcm": big}, 0)))
    text = r.content.decode()
    assert "larger, unpacked, than the per-file limit (19.5\xa0KB)" in text
    assert_nothing_left(media, extract_dir)


def test_the_budget_is_per_request_across_archives(personas, media, extract_dir, settings) -> None:
    one = make_zip({"a.dcm": ct_slice(1, size=128)}, 0)
    two = make_zip({"b.dcm": ct_slice(2, size=128)}, 0)
    settings.IMAGING_UPLOAD_MAX_UNCOMPRESSED_BYTES = 50_000  # one slice fits, two do not
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("1.zip", one), ("2.zip", two))
    text = r.content.decode()
    assert "“2.zip” takes the upload past its limit of 48.8\xa0KB unpacked" in text
    assert_nothing_left(media, extract_dir)


def test_plain_files_count_against_the_budget_too(personas, media, extract_dir, settings) -> None:
    settings.IMAGING_UPLOAD_MAX_UNCOMPRESSED_BYTES = 50_000
    archive = make_zip({"a.dcm": ct_slice(1, size=128)}, 0)
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(
        c,
        personas.patient,
        ("1.zip", archive),
        ("b.dcm", ct_slice(2, size=128)),
    )
    assert "“b.dcm” takes the upload past its limit" in r.content.decode()
    assert_nothing_left(media, extract_dir)


def test_too_many_members(personas, media, extract_dir, settings) -> None:
    settings.IMAGING_ZIP_MAX_MEMBERS = 3
    archive = make_zip({f"s{k}.dcm": ct_slice(k) for k in range(1, 5)})
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("s.zip", archive))
    assert "holds more files than one study upload allows (3)" in r.content.decode()
    assert_nothing_left(media, extract_dir)


@pytest.mark.parametrize("inner_name", ["inner.zip", "inner.dcm"], ids=["named", "disguised"])
def test_a_nested_zip_is_refused(personas, media, extract_dir, inner_name) -> None:
    inner = make_zip({"a.dcm": ct_slice(1)})
    archive = make_zip({"ok.dcm": ct_slice(2), inner_name: inner})
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("outer.zip", archive))
    assert "contains another .zip archive" in r.content.decode()
    assert_nothing_left(media, extract_dir)


def test_korean_message_for_an_archive_over_the_budget(personas, settings) -> None:
    settings.IMAGING_UPLOAD_MAX_UNCOMPRESSED_BYTES = 10_000
    archive = make_zip({"a.dcm": ct_slice(1, size=128)}, 0)
    c = personas.login(personas.clinician, browser_language="ko")
    r = upload(c, personas.patient, ("s.zip", archive))
    text = r.content.decode()
    assert "압축을 푼" in text and "가져오지 않았습니다" in text


def test_an_ordinary_series_zip_still_imports(personas, media, extract_dir) -> None:
    archive = make_zip({f"series/s{k:02d}.dcm": ct_slice(k) for k in range(1, 21)})
    c = personas.login(personas.clinician, browser_language="en")
    r = upload(c, personas.patient, ("ct.zip", archive))
    assert r.redirect_chain[-1][0] == reverse(
        "imaging_studies:study", args=[Study.objects.get().pk]
    ), r.content.decode()[:500]
    assert Study.objects.count() == 1 and Instance.objects.count() == 20
    assert list(extract_dir.iterdir()) == [] and open_files_in(extract_dir) == []
