"""Imaging import through the web layer: pydicom's bundled files, zip studies, the
identity confirmation step, bad input that stores nothing, content-addressed storage, clinic
isolation and the access log."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from pydicom import dcmread
from pydicom.data import get_testdata_file
from tests.builders.dicom import dx_columns
from tests.builders.uploads import confirm, stored_files, upload
from tests.factories.imaging import imported_study

import atlaschart.web.celery  # noqa: F401  (the project's Celery app: jobs run eagerly in tests)
from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging_studies.models import Blob, Instance, Study

CT = Path(get_testdata_file("CT_small.dcm"))
MR = Path(get_testdata_file("MR_small.dcm"))
J2K = Path(get_testdata_file("JPEG2000.dcm"))
RTPLAN = Path(get_testdata_file("rtplan.dcm"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def export(client: Client, study):
    """Start the de-identified export job and fetch the zip it packed."""
    r = client.post(reverse("imaging_studies:export_study", args=[study.pk]), follow=True)
    assert r.redirect_chain[-1][0].startswith("/imaging/exports/"), r.content.decode()[-3000:]
    return client.get(reverse("imaging_studies:export_download", args=[r.context["job"].pk]))


def test_ct_small_with_another_name_waits_for_confirmation_then_imports(personas, media) -> None:
    c = personas.login(personas.clinician)
    r = upload(c, personas.patient, ("CT_small.dcm", CT.read_bytes()))
    # CT_small names "CompressedSamples^CT1", not 김민준 / Minjun Kim: nothing stored yet.
    assert r.status_code == 200 and b"CompressedSamples^CT1" in r.content
    assert Study.objects.count() == 0 and Blob.objects.count() == 0
    r = confirm(c, personas.patient, r)
    assert r.status_code == 200
    study = Study.objects.get()
    assert r.redirect_chain[-1][0] == reverse("imaging_studies:study", args=[study.pk])
    assert study.identity_confirmed and study.file_patient_name == "CompressedSamples^CT1"
    inst = Instance.objects.get()
    # CT_small: 128 x 128, PixelSpacing 0.661468 mm (the file's header).
    assert (inst.rows, inst.columns, inst.spacing_source) == (128, 128, "PixelSpacing")
    assert inst.row_spacing_mm == pytest.approx(0.661468)
    # Content addressed: the blob file is named by the sha256 of the stored bytes.
    import hashlib

    path = media / "imaging" / "blobs" / inst.blob.sha256[:2] / inst.blob.sha256
    assert hashlib.sha256(path.read_bytes()).hexdigest() == inst.blob.sha256
    assert not list((media / "imaging" / "tmp").iterdir())  # the staged upload is gone
    assert (
        AccessLogEntry.objects.filter(
            action="create", object_type="imaging_studies.study", object_id=str(study.pk)
        ).count()
        == 1
    )
    # The confirmation cannot be replayed: the upload set is gone once imported.
    again = c.post(
        reverse("imaging_studies:confirm_upload", args=[personas.patient.pk, "0" * 32]),
        {"confirm": "1"},
        follow=True,
    )
    assert "expired or was already imported" in again.content.decode()
    # The same file again: confirmed again, and still one instance (de-duplicated).
    confirm(c, personas.patient, upload(c, personas.patient, ("CT_small.dcm", CT.read_bytes())))
    assert Instance.objects.count() == 1


def test_several_files_including_jpeg_2000_import_in_one_step(personas) -> None:
    c = personas.login(personas.clinician)
    r = upload(c, personas.patient, ("MR.dcm", MR.read_bytes()), ("J2K.dcm", J2K.read_bytes()))
    confirm(c, personas.patient, r)
    syntaxes = sorted(Instance.objects.values_list("transfer_syntax", flat=True))
    assert syntaxes == ["Explicit VR Little Endian", "JPEG 2000 Image Compression"]
    j2k = Instance.objects.get(transfer_syntax__startswith="JPEG 2000")
    png = c.get(reverse("imaging_studies:image", args=[j2k.pk]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_a_matching_name_imports_without_confirmation_and_a_zip_twice_is_stored_once(
    personas,
) -> None:
    c = personas.login(personas.clinician)
    data = dx_columns()  # Kim^Minjun, 000001 = the chart of personas.patient
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("study/IM1.dcm", data)
        zf.writestr("README.txt", "not an image")
    for _ in range(2):
        r = upload(c, personas.patient, ("study.zip", buf.getvalue()))
        assert r.status_code == 200
        assert r.redirect_chain[-1][0] == reverse(
            "imaging_studies:study", args=[Study.objects.get().pk]
        )
    assert Instance.objects.count() == 1 and Blob.objects.count() == 1
    # The same file for a patient of another clinic: a second instance, the same stored blob.
    # (Kim^Minjun is not 권나연: confirmed first.)
    out = personas.login(personas.outsider)
    confirm(
        out, personas.busan_patient, upload(out, personas.busan_patient, ("s.zip", buf.getvalue()))
    )
    assert Instance.objects.count() == 2 and Blob.objects.count() == 1


def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def _unsupported_syntax() -> bytes:
    ds = dcmread(CT)
    from pydicom.encaps import encapsulate

    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"  # MPEG2 video: no decoder
    ds.PixelData = encapsulate([ds.PixelData])
    buf = io.BytesIO()
    ds.save_as(buf)
    return buf.getvalue()


BAD = [
    pytest.param("t.dcm", lambda: CT.read_bytes()[:-2000], "truncated", id="truncated"),
    pytest.param("n.dcm", lambda: b"hello, not an image" * 20, "not a DICOM file", id="not-dicom"),
    pytest.param("rt.dcm", lambda: RTPLAN.read_bytes(), "no pixel data", id="no-pixels"),
    pytest.param("m.dcm", _unsupported_syntax, "cannot decode", id="unsupported-syntax"),
    pytest.param(
        "e.zip",
        lambda: _zip("../evil.dcm", CT.read_bytes()),
        "leaves the archive",
        id="zip-traversal",
    ),
    pytest.param(
        "b.zip", lambda: _zip("big.dcm", bytes(5 * 1024 * 1024)), "zip bomb", id="zip-bomb"
    ),
    pytest.param(
        "bad.png", lambda: b"\x89PNG\r\n\x1a\n" + b"junk" * 50, "PNG or JPEG", id="bad-png"
    ),
]


@pytest.mark.parametrize(("name", "make", "says"), BAD)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    personas, media, name, make, says
) -> None:
    c = personas.login(personas.clinician)
    # A good file next to the bad one: the whole upload is refused, nothing half stored.
    r = upload(c, personas.patient, ("good.dcm", dx_columns()), (name, make()))
    assert r.status_code == 200
    text = r.content.decode()
    assert says in text and "Nothing was imported." in text
    assert Study.objects.count() == 0 and Blob.objects.count() == 0
    assert stored_files(media) == []  # the upload set is removed with the refusal


def test_an_oversized_upload_is_refused(personas, media, settings) -> None:
    settings.IMAGING_MAX_UPLOAD_BYTES = 10_000
    r = upload(
        personas.login(personas.clinician), personas.patient, ("CT_small.dcm", CT.read_bytes())
    )
    assert "larger than the upload limit" in r.content.decode()
    assert Study.objects.count() == 0 and stored_files(media) == []


def test_korean_message_for_bad_input(personas) -> None:
    c = personas.login(personas.clinician, browser_language="ko")
    r = upload(c, personas.patient, ("n.dcm", b"plain text" * 30))
    assert "가져오지 않았습니다" in r.content.decode()


def _imported(personas):
    imported_study(personas.clinician, personas.patient, ("dx.dcm", dx_columns()))
    return personas.login(personas.clinician), Instance.objects.get()


def test_another_clinic_gets_404_for_every_imaging_page(personas) -> None:
    _c, inst = _imported(personas)
    study, series = inst.series.study, inst.series
    out = personas.login(personas.outsider)
    urls = [
        reverse("imaging_studies:import", args=[personas.patient.pk]),
        reverse("imaging_studies:compare", args=[personas.patient.pk]),
        reverse("imaging_studies:study", args=[study.pk]),
        reverse("imaging_studies:viewer", args=[inst.pk]),
        reverse("imaging_studies:image", args=[inst.pk]),
        reverse("imaging_studies:export_png", args=[inst.pk]),
        reverse("imaging_studies:analysis_new", args=[inst.pk]),
        reverse("imaging_studies:volume", args=[series.pk]),
    ]
    for url in urls:
        assert out.get(url).status_code == 404, url
    assert out.post(reverse("imaging_studies:export_study", args=[study.pk])).status_code == 404
    r = out.post(
        reverse("imaging_studies:instance_update", args=[inst.pk]),
        '{"projection": "PA"}',
        content_type="application/json",
    )
    assert r.status_code == 404
    inst.refresh_from_db()
    assert inst.projection == ""


def test_front_desk_cannot_import(personas) -> None:
    r = upload(personas.login(personas.desk), personas.patient, ("dx.dcm", dx_columns()))
    assert r.status_code == 403 and Study.objects.count() == 0


def test_views_and_exports_are_logged(personas) -> None:
    c, inst = _imported(personas)
    before = AccessLogEntry.objects.count()
    c.get(reverse("imaging_studies:viewer", args=[inst.pk]))
    for _ in range(3):  # tiles: logged once per session
        c.get(reverse("imaging_studies:image", args=[inst.pk]) + "?wc=100&ww=200")
    assert AccessLogEntry.objects.count() == before + 2
    r = export(c, inst.series.study)
    assert r["Content-Type"] == "application/zip"
    # One row when the job packed the zip, one for the download.
    rows = AccessLogEntry.objects.filter(action="export", object_type="imaging_studies.study")
    assert sorted(rows.values_list("detail", flat=True)) == [
        "de-identified DICOM zip downloaded",
        "de-identified DICOM zip; warnings: burned-in-annotation",
    ]
    c.get(reverse("imaging_studies:export_png", args=[inst.pk]))
    assert (
        AccessLogEntry.objects.filter(
            action="export", object_type="imaging_studies.instance"
        ).count()
        == 1
    )


def test_exported_dicom_is_deidentified(personas) -> None:
    c, inst = _imported(personas)
    r = export(c, inst.series.study)
    with zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))) as zf:
        (name,) = zf.namelist()
        ds = dcmread(io.BytesIO(zf.read(name)))
    # PS3.15 Basic Profile: name emptied, ID replaced by the pseudonym, identity removed, new UIDs.
    assert str(ds.PatientName) == "" and ds.PatientID == f"ANON-{inst.series.study.pk}"
    assert ds.PatientIdentityRemoved == "YES"
    assert ds.SOPInstanceUID != inst.sop_instance_uid


def test_window_level_from_query_parameters(personas) -> None:
    c, inst = _imported(personas)
    from PIL import Image

    # Pixel value = column. DICOM linear window c=100.5, w=101 (PS3.3 C.11.2.1.2.1): values up to
    # c-0.5-(w-1)/2 = 50 -> 0, from c-0.5+(w-1)/2 = 150 -> 255; column 100 -> (100-50)*255/100
    # = 127.5, rounded half to even -> 128.
    r = c.get(reverse("imaging_studies:image", args=[inst.pk]) + "?wc=100.5&ww=101")
    img = np.asarray(Image.open(io.BytesIO(r.content)))
    assert (img[0, 50], img[0, 100], img[0, 150], img[0, 300]) == (0, 128, 255, 255)


def test_a_bad_query_parameter_is_404_not_500(personas) -> None:
    c, inst = _imported(personas)
    assert (
        c.get(reverse("imaging_studies:image", args=[inst.pk]) + "?wc=abc&ww=1").status_code == 404
    )


def test_the_chart_shows_the_study(personas) -> None:
    c, inst = _imported(personas)
    r = c.get(reverse("patients:chart", args=[personas.patient.pk]))
    assert reverse("imaging_studies:viewer", args=[inst.pk]).encode() in r.content
