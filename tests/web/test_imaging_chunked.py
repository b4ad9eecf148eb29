"""CBCT imports that stream: a real multi-slice CT series (made from pydicom's bundled CT_small)
goes up through the resumable chunked protocol (imaging_studies/uploads.py), is imported by the
background job slice by slice, and becomes a memory-mapped volume every worker reads. A dropped
connection resumes from the last stored byte; the same upload twice is one study; a job run
twice writes one set of rows; a refused slice or a failure midway leaves nothing stored; the
import's peak heap stays under twice the volume."""

from __future__ import annotations

import datetime
import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest
from django.http import UnreadablePostError
from django.urls import reverse
from pydicom import dcmread
from tests.builders.dicom import CT_SMALL, ct_slices, zipped
from tests.builders.uploads import finish, open_set, patch, send

import atlaschart.web.celery  # noqa: F401  (the project's Celery app: jobs run eagerly in tests)
from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging_studies import importing, rendering, storage, uploads
from atlaschart.imaging_studies.models import Blob, Instance, Series, Study
from atlaschart.jobs.models import Job
from atlaschart.jobs.services import run_job
from atlaschart.lib.actor import Actor


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def test_a_ct_series_goes_up_in_chunks_and_becomes_a_shared_volume(personas, media) -> None:
    c = personas.login(personas.clinician, browser_language="en")
    data = zipped(ct_slices(12))
    upload = open_set(c, personas.patient, [("cbct.zip", len(data))])
    (entry,) = upload["files"]
    assert entry["offset"] == 0 and upload["chunk_bytes"] == uploads.CHUNK_BYTES
    send(c, entry["url"], data, chunk=64 * 1024)  # the browser sends 8 MiB; small here
    head = c.head(entry["url"])
    assert (head["Upload-Offset"], head["Upload-Length"]) == (str(len(data)), str(len(data)))
    r = finish(c, upload)
    study = Study.objects.get()
    assert r.redirect_chain[-1][0] == reverse("imaging_studies:study", args=[study.pk])
    assert "The images were imported." in r.content.decode()
    job = Job.objects.get(kind="imaging.import")
    assert job.state == "done" and job.result["instances"] == 12
    series = Series.objects.get()
    assert series.is_volume and series.instances.count() == 12
    # CT_small's header: 128 × 128, PixelSpacing 0.661468 mm; the step from the positions.
    vol = rendering.volume(series)
    assert isinstance(vol.voxels, np.memmap) and vol.voxels.shape == (12, 128, 128)
    assert vol.spacing_mm == pytest.approx((1.25, 0.661468, 0.661468))
    # Slice k holds CT_small + k, rescaled by its slope 1 and intercept (HU).
    first = dcmread(CT_SMALL)
    expected = first.pixel_array.astype(np.int32) + 5 + int(first.RescaleIntercept)
    assert np.array_equal(vol.voxels[5].astype(np.int32), expected)
    # The upload set is gone; the blobs are the members as uploaded, named by their sha256.
    assert not [p for p in (media / "imaging" / "tmp").iterdir()]
    inst = Instance.objects.select_related("blob").order_by("instance_number").first()
    assert storage.sha256_of_file(storage.blob_path(inst.blob.sha256)) == inst.blob.sha256
    # The viewer pages read the memory-mapped file.
    assert c.get(reverse("imaging_studies:volume", args=[series.pk])).status_code == 200
    png = c.get(reverse("imaging_studies:slice", args=[series.pk]) + "?plane=sagittal&index=3")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert AccessLogEntry.objects.filter(
        action="create", object_type="imaging_studies.study", detail="imported 12 image(s)"
    ).exists()


def test_another_worker_maps_the_file_instead_of_rebuilding(personas, media, monkeypatch) -> None:
    actor = Actor.system(personas.clinician, via="test")
    folder = media / "in"
    folder.mkdir(parents=True)
    paths = []
    for k, data in enumerate(ct_slices(6)):
        paths.append(folder / f"{k}.dcm")
        paths[-1].write_bytes(data)
    importing.import_files(actor, personas.patient, paths)
    series = Series.objects.get()

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the volume was rebuilt although its file is there")

    monkeypatch.setattr(rendering, "build_volume_cache", no_rebuild)
    # A fresh process has nothing cached: every read opens the shared file.
    assert rendering.volume(series).voxels.shape == (6, 128, 128)


class DroppedConnection(io.RawIOBase):
    """A request body whose connection drops after ``arrives`` bytes (the WSGI server raises)."""

    def __init__(self, data: bytes, arrives: int) -> None:
        self.data, self.arrives, self.sent = data, arrives, 0

    def read(self, size: int = -1) -> bytes:
        if self.sent >= self.arrives:
            raise UnreadablePostError("connection reset by peer")
        piece = self.data[self.sent : min(self.arrives, self.sent + size)]
        self.sent += len(piece)
        return piece


def test_a_dropped_connection_resumes_from_the_last_stored_byte(personas, media) -> None:
    c = personas.login(personas.clinician, browser_language="en")
    data = zipped(ct_slices(8))
    upload = open_set(c, personas.patient, [("cbct.zip", len(data))])
    url = upload["files"][0]["url"]
    chunk = 40_000
    send(c, url, data[: 2 * chunk], chunk=chunk)
    # The third chunk's connection drops after 15,000 of its 40,000 bytes.
    item = uploads.load_set(upload["upload"], patient_id=personas.patient.pk).files[0]
    body = DroppedConnection(data[2 * chunk : 3 * chunk], arrives=15_000)
    with pytest.raises(uploads.UploadSetError) as dropped:
        uploads.append(item, 2 * chunk, chunk, body)
    stored = dropped.value.offset
    assert stored == 2 * chunk + 15_000  # what arrived is kept
    # The client asks where to go on, and a resend at a stale offset is refused, not appended.
    assert c.get(url).json() == {"offset": stored, "length": len(data)}
    stale = patch(c, url, 2 * chunk, data[2 * chunk : 3 * chunk])
    assert stale.status_code == 409 and int(stale["Upload-Offset"]) == stored
    send(c, url, data, chunk=chunk, start=stored)
    set_folder = next((media / "imaging" / "tmp").iterdir())
    assert (set_folder / "0.bin").read_bytes() == data  # byte for byte, nothing twice
    finish(c, upload)
    assert Instance.objects.count() == 8 and Series.objects.get().is_volume


def test_the_offset_and_size_checks(personas, media) -> None:
    c = personas.login(personas.clinician, browser_language="en")
    upload = open_set(c, personas.patient, [("a.dcm", 10)])
    url = upload["files"][0]["url"]
    assert patch(c, url, 4, b"abcd").status_code == 409  # ahead of the stored bytes
    assert patch(c, url, 0, b"x" * 11).status_code == 400  # past the declared size
    big = patch(c, url, 0, b"", length=uploads.MAX_CHUNK_BYTES + 1)
    assert big.status_code == 413
    assert c.get(url).json()["offset"] == 0
    # Not finished: the import does not start.
    r = c.post(upload["finish_url"])
    assert r.status_code == 409 and not Job.objects.exists()
    # Another patient's page does not reach this set (and a made-up key is a 404 too).
    other = personas.patient.__class__.objects.create(
        clinic=personas.seoul,
        chart_number="000777",
        name="이서연",
        date_of_birth=datetime.date(1990, 1, 1),
    )
    foreign = reverse("imaging_studies:upload_file", args=[other.pk, upload["upload"], 0])
    assert c.get(foreign).status_code == 404
    made_up = reverse("imaging_studies:upload_file", args=[personas.patient.pk, "0" * 32, 0])
    assert c.get(made_up).status_code == 404
    # Over the upload limit before a byte is sent.
    r = c.post(
        reverse("imaging_studies:upload_open", args=[personas.patient.pk]),
        json.dumps({"files": [{"name": "huge.zip", "size": 10**13}]}),
        content_type="application/json",
    )
    assert r.status_code == 413 and "larger than the upload limit" in r.json()["error"]
    # Front desk may not upload images at all.
    desk = personas.login(personas.desk, browser_language="en")
    assert desk.get(url).status_code == 403
    assert patch(desk, url, 0, b"abcd").status_code == 403


def test_the_same_upload_twice_is_one_study_and_a_job_run_twice_writes_once(
    personas, media
) -> None:
    c = personas.login(personas.clinician, browser_language="en")
    data = zipped(ct_slices(6))
    for _ in range(2):
        upload = open_set(c, personas.patient, [("cbct.zip", len(data))])
        send(c, upload["files"][0]["url"], data, chunk=len(data))
        finish(c, upload)
    assert Study.objects.count() == 1 and Instance.objects.count() == 6
    assert Blob.objects.count() == 6
    second = Job.objects.filter(kind="imaging.import").latest("id")
    assert second.result["duplicates"] == 6 and second.result["instances"] == 0
    # The task delivered again (a retry, a second worker): the claim finds it done.
    rows = (Instance.objects.count(), AccessLogEntry.objects.count())
    assert run_job(second.pk) == "skipped"
    assert (Instance.objects.count(), AccessLogEntry.objects.count()) == rows
    # The finish request sent twice for one set: one job.
    upload = open_set(c, personas.patient, [("cbct.zip", len(data))])
    send(c, upload["files"][0]["url"], data, chunk=len(data))
    jobs_before = Job.objects.count()
    folder = media / "imaging" / "tmp" / upload["upload"]
    keep = (folder / "0.bin").read_bytes()
    c.post(upload["finish_url"])
    folder.mkdir(parents=True, exist_ok=True)  # as if the first run had not removed it yet
    (folder / "0.bin").write_bytes(keep)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "kind": "chunked",
                "user": personas.clinician.pk,
                "patient": personas.patient.pk,
                "created": 0,
                "files": [{"name": "cbct.zip", "size": len(data)}],
            }
        )
    )
    c.post(upload["finish_url"])
    assert Job.objects.count() == jobs_before + 1
    assert Instance.objects.count() == 6


def test_import_files_twice_over_the_same_paths_is_one_set_of_rows(personas, media) -> None:
    actor = Actor.system(personas.clinician, via="test")
    folder = media / "in"
    folder.mkdir(parents=True)
    archive = folder / "s.zip"
    archive.write_bytes(zipped(ct_slices(5)))
    seen: list[tuple[int, int]] = []
    first = importing.import_files(
        actor,
        personas.patient,
        [archive],
        source="dicom-network",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]  # "reading slice 3 of 5"
    again = importing.import_files(actor, personas.patient, [archive], source="dicom-network")
    assert (first.instances, first.duplicates) == (5, 0)
    assert (again.instances, again.duplicates) == (0, 5)
    assert Instance.objects.count() == 5 and Study.objects.count() == 1
    rows = AccessLogEntry.objects.filter(object_type="imaging_studies.study")
    assert list(rows.values_list("detail", flat=True)) == ["imported 5 image(s) via dicom-network"]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_refused_slice_stores_nothing_and_says_why(personas, media, language) -> None:
    c = personas.login(personas.clinician, browser_language=language)
    slices = ct_slices(6)
    slices[3] = slices[3][:-5000]  # cut inside the pixel data
    data = zipped(slices)
    upload = open_set(c, personas.patient, [("cbct.zip", len(data))])
    send(c, upload["files"][0]["url"], data, chunk=len(data))
    r = finish(c, upload)
    text = r.content.decode()
    if language == "en":
        assert "“cbct.zip/CBCT/IM0003.dcm” is truncated" in text
        assert "Nothing was imported." in text
    else:
        assert "가져오지 않았습니다" in text
    job = Job.objects.get()
    assert (job.state, job.error_code) == ("failed", "truncated")
    assert Study.objects.count() == 0 and Blob.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_failure_midway_removes_what_the_import_stored(personas, media, monkeypatch) -> None:
    """Rows go in short transactions; when a later step fails, the rows and files written before
    it are removed again."""
    monkeypatch.setattr(importing, "BATCH_ROWS", 3)  # several batches for 8 slices

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(rendering, "build_volume_cache", broken)
    actor = Actor.system(personas.clinician, via="test")
    folder = media / "in"
    folder.mkdir(parents=True)
    archive = folder / "s.zip"
    archive.write_bytes(zipped(ct_slices(8)))
    with pytest.raises(OSError, match="disk full"):
        importing.import_files(actor, personas.patient, [archive])
    assert (Study.objects.count(), Series.objects.count(), Instance.objects.count()) == (0, 0, 0)
    assert Blob.objects.count() == 0
    assert not (media / "imaging" / "blobs").exists() or not [
        p for p in (media / "imaging" / "blobs").rglob("*") if p.is_file()
    ]
    assert not AccessLogEntry.objects.filter(object_type="imaging_studies.study").exists()


def test_the_import_peak_heap_stays_under_twice_the_volume(personas, media) -> None:
    """tracemalloc sees every Python and numpy allocation; the volume is written to its
    memory-mapped file, so the heap holds about one slice at a time."""
    n, size = 24, 256
    volume_bytes = n * size * size * 2
    actor = Actor.system(personas.clinician, via="test")
    folder = media / "in"
    folder.mkdir(parents=True)
    archive = folder / "s.zip"
    archive.write_bytes(zipped(ct_slices(n, size=size)))
    tracemalloc.start()
    try:
        outcome = importing.import_files(actor, personas.patient, [archive])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.instances == n and outcome.volume_series_ids
    print(f"import peak {peak / volume_bytes:.2f}x the volume")
    assert peak < 2 * volume_bytes, f"peak {peak} bytes for a {volume_bytes}-byte volume"


def test_the_de_identified_export_runs_as_a_job_and_each_download_is_logged(
    personas, media
) -> None:
    c = personas.login(personas.clinician, browser_language="en")
    data = zipped(ct_slices(4))
    upload = open_set(c, personas.patient, [("cbct.zip", len(data))])
    send(c, upload["files"][0]["url"], data, chunk=len(data))
    finish(c, upload)
    study = Study.objects.get()
    url = reverse("imaging_studies:export_study", args=[study.pk])
    r = c.post(url, follow=True)
    job = Job.objects.get(kind="imaging.export_deidentified")
    assert r.redirect_chain[-1][0] == reverse("imaging_studies:export_ready", args=[job.pk])
    assert "Download the .zip" in r.content.decode()
    # The same unchanged study again: the zip already packed.
    c.post(url)
    assert Job.objects.filter(kind="imaging.export_deidentified").count() == 1
    download = reverse("imaging_studies:export_download", args=[job.pk])
    for _ in range(2):
        zipped_study = b"".join(c.get(download).streaming_content)
    with zipfile.ZipFile(io.BytesIO(zipped_study)) as zf:
        assert len(zf.namelist()) == 4
        ds = dcmread(io.BytesIO(zf.read(zf.namelist()[0])))
    assert str(ds.PatientName) == "" and ds.PatientIdentityRemoved == "YES"
    details = AccessLogEntry.objects.filter(action="export").values_list("detail", flat=True)
    assert sorted(details) == [
        "de-identified DICOM zip downloaded",
        "de-identified DICOM zip downloaded",
        "de-identified DICOM zip; warnings: burned-in-annotation",
    ]
