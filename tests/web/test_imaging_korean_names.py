"""Korean names in DICOM headers: multi-component Person Names (PS3.5 §6.2.1.2) in the Korean
character sets, compared with the chart's Korean and Latin names the same way by the web upload,
the import job and the DICOM receiver."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from atlaschart.dicom_inbox import importer
from atlaschart.imaging import dicom
from atlaschart.imaging_studies import importing, upload

CHART = ("김민준", "Minjun Kim")  # the chart's name and its Latin form

# (the PN value as pydicom decodes it, whether it names 김민준 / Minjun Kim)
CASES = [
    ("Kim^Minjun=김민준", True),
    ("Kim^Minjun=김^민준", True),
    ("김^민준", True),
    ("김민준", True),
    ("김 민준", True),
    ("Kim^Minjun=金^敏俊=김^민준", True),  # alphabetic, Hanja ideographic, Hangul phonetic
    ("=金^敏俊=김^민준", True),  # no alphabetic group
    ("Kim^Minjun", True),
    ("KIM^MINJUN", True),
    ("Minjun^Kim", True),  # family / given swapped in Latin
    ("Kim^Min Jun", True),  # spaces inside the given name
    ("Kim^Min-jun", True),  # the hyphen of Revised Romanization
    ("kim minjun", True),  # all in the family component
    ("Kim^Minjun=金^敏俊", True),  # Hanja only: the Latin group decides
    ("김민수", False),
    ("김^민수", False),
    ("Kim^Minsu", False),
    ("Kim^Minsu=김^민수", False),
    ("Kim^Minjun=김^민수", False),  # the Hangul spelling decides over a Latin match
    ("Lee^Minjun", False),
    ("Kim", False),
    ("민준^김", False),  # Hangul is family first only
    ("Kim^Minjun^Jr", False),  # an extra middle name is another name
    ("=", False),
    ("", False),
]


@pytest.mark.parametrize(("value", "same"), CASES)
def test_person_name_table(value: str, same: bool) -> None:
    assert dicom.person_name_matches(value, CHART) is same


def test_a_chart_without_a_latin_form_matches_on_the_hangul_name() -> None:
    assert dicom.person_name_matches("Kim^Minjun=김^민준", ("김민준", ""))
    assert not dicom.person_name_matches("Kim^Minjun", ("김민준", ""))  # nothing to compare


def test_a_latin_chart_name_of_a_foreign_patient() -> None:
    assert dicom.person_name_matches("Smith^John", ("John Smith", ""))
    assert not dicom.person_name_matches("Smith^Joan", ("John Smith", ""))


def _korean_file(name: str, charset: list[str] | str, *, encode: bool = True) -> bytes:
    """A DX slice whose PatientName pydicom writes in ``charset`` (escape sequences for ISO
    2022), or, ``encode=False``, the raw EUC-KR bytes a modality writes under ``ISO_IR 149``."""
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
    ds.SpecificCharacterSet = charset
    if encode:
        ds.PatientName = name
    else:
        ds.add_new(0x00100010, "PN", name.encode("euc_kr"))
    ds.PatientID, ds.Modality, ds.StudyDate = "000001", "DX", "20240105"
    ds.Rows = ds.Columns = 16
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelSpacing = [0.5, 0.5]
    ds.PixelData = np.zeros((16, 16), dtype=np.uint16).tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def test_iso_2022_ir_149_is_written_with_escapes_and_read_back_in_hangul() -> None:
    data = _korean_file("Kim^Minjun=김^민준", ["", "ISO 2022 IR 149"])
    assert b"\x1b$)C" in data  # the ESC sequence that designates KS X 1001 (PS3.3 C.12.1.1.2)
    assert "김".encode("euc_kr") in data and "김".encode() not in data
    name = dcmread(io.BytesIO(data)).PatientName
    assert (name.alphabetic, name.ideographic) == ("Kim^Minjun", "김^민준")
    assert dicom.person_name_matches(str(name), CHART)


def test_the_non_standard_iso_ir_149_reads_as_euc_kr_not_latin_1() -> None:
    data = _korean_file("김^민준", "ISO_IR 149", encode=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "unknown encoding" fallback to Latin-1
        name = str(dcmread(io.BytesIO(data)).PatientName)
    assert name == "김^민준"


def _chart(**kw: str) -> SimpleNamespace:
    return SimpleNamespace(
        name=kw.get("name", "김민준"),
        name_latin=kw.get("latin", "Minjun Kim"),
        chart_number="000001",
    )


@pytest.mark.parametrize(
    ("value", "charset"),
    [("Kim^Minjun=김^민준", ["", "ISO 2022 IR 149"]), ("김^민준", ["", "ISO 2022 IR 149"])],
)
def test_the_upload_and_the_import_read_the_korean_file_as_the_same_patient(
    tmp_path: Path, settings, value: str, charset: list[str]
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path = tmp_path / "korean.dcm"
    path.write_bytes(_korean_file(value, charset))
    prepared = importing.prepare([path], tmp_path / "work")
    assert prepared.studies[0].patient_name == value
    assert importing.identity_differences(prepared, _chart()) == []
    assert importing.identity_differences(prepared, _chart(name="김민수", latin="Minsu Kim"))
    parsed = upload.parse([("korean.dcm", path.read_bytes())])  # the in-memory reading
    assert upload.identity_differences(parsed, _chart()) == []


def test_the_receiver_compares_with_the_same_function() -> None:
    ident = importer.StudyIdentity("1.2.3", "000001", "Kim^Minjun=김^민준")
    assert importer.identity_differences([ident], _chart()) == []
    other = importer.StudyIdentity("1.2.3", "000001", "Kim^Minsu=김^민수")
    (difference,) = importer.identity_differences([other], _chart())
    assert difference["name_differs"] and not difference["id_differs"]
