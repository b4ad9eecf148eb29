"""Node-local state for a clinic network: a finished chunked upload is moved into the media
storage (where a worker on another node reads it) and swept from there; the CBCT volume files
are each node's cache under ATLASCHART_VAR_DIR, rebuilt from the blobs on demand. Local disk
(the default) here; one round trip on S3 when its test server runs (S3_TEST_URL, .ci/run)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tests.builders.dicom import ct_slices, zipped
from tests.builders.object_store import Store, store  # noqa: F401  (the S3 fixture)
from tests.builders.uploads import finish, open_set, send

import atlaschart.web.celery  # noqa: F401  (the project's Celery app: jobs run eagerly in tests)
from atlaschart.imaging_studies import rendering, storage, uploads
from atlaschart.imaging_studies.models import Series, Study
from atlaschart.jobs.models import Job
from atlaschart.lib import media

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VAR_DIR = tmp_path / "var"
    return tmp_path / "media"


def _upload(personas: Any, n: int = 6) -> tuple[Any, dict[str, Any]]:
    c = personas.login(personas.clinician, browser_language="en")
    data = zipped(ct_slices(n))
    upload = open_set(c, personas.patient, [("cbct.zip", len(data))])
    send(c, upload["files"][0]["url"], data, chunk=64 * 1024)
    return c, upload


def _key(upload: dict[str, Any]) -> str:
    return str(upload["finish_url"]).rstrip("/").split("/")[-2]


def test_a_finished_upload_moves_into_the_media_storage_before_its_job(
    personas, monkeypatch
) -> None:
    c, upload = _upload(personas)
    key = _key(upload)
    assert (storage.work_root() / key).is_dir()  # the chunks arrive on this node's disk
    seen: dict[str, Any] = {}
    original = uploads.local_files

    def spy(upload_set: uploads.UploadSet):  # what the worker is handed
        seen["published"] = upload_set.published
        seen["local"] = (storage.work_root() / key).exists()
        seen["names"] = sorted(media.walk(f"imaging/uploads/{key}"))
        return original(upload_set)

    monkeypatch.setattr(uploads, "local_files", spy)
    page = finish(c, upload)
    assert "The images were imported." in page.content.decode()
    assert seen == {
        "published": True,
        "local": False,  # nothing of it left in the web node's upload area
        "names": [f"imaging/uploads/{key}/0.bin", f"imaging/uploads/{key}/manifest.json"],
    }
    assert Study.objects.count() == 1
    assert not list(media.walk(f"imaging/uploads/{key}"))  # imported: removed
    # Finishing again finds the same job (published sets keep their content hash).
    assert c.post(upload["finish_url"]).status_code in (200, 404)
    assert Job.objects.filter(kind="imaging.import").count() == 1


def test_a_published_set_nobody_imported_is_swept(personas) -> None:
    _c, upload = _upload(personas, n=2)
    upload_set = uploads.load_set(_key(upload), patient_id=personas.patient.pk)
    assert upload_set is not None
    published = uploads.publish(upload_set)
    assert published.published and uploads.publish(published) is published
    assert uploads.sweep_published() == 0  # fresh
    assert uploads.sweep_published(now=time.time() + 3601) == 1
    assert not list(media.walk("imaging/uploads"))
    assert uploads.load_set(_key(upload), patient_id=personas.patient.pk) is None


def test_the_volume_file_is_a_node_cache_under_the_var_dir(personas, settings) -> None:
    c, upload = _upload(personas, n=8)
    finish(c, upload)
    series = Series.objects.get()
    folder = storage.volume_cache_folder()
    assert folder == Path(settings.VAR_DIR) / "imaging-volumes"
    assert list(folder.glob(f"{series.pk}-*.npy"))
    assert not (Path(settings.MEDIA_ROOT) / "imaging" / "volumes").exists()
    # Another node (an empty cache) builds it from the blobs when it first needs it.
    for path in folder.iterdir():
        path.unlink()
    vol = rendering.volume(series)
    assert vol.voxels.shape[0] == 8 and list(folder.glob(f"{series.pk}-*.npy"))


def test_on_object_storage_the_upload_waits_in_the_bucket(
    store: Store,  # noqa: F811
    personas: Any,
    settings: Any,
    monkeypatch: Any,
) -> None:
    c, upload = _upload(personas, n=3)
    key = _key(upload)
    in_bucket: list[str] = []
    original = uploads.local_files

    def spy(upload_set: uploads.UploadSet):
        in_bucket.extend(k for k in store.object_keys() if f"imaging/uploads/{key}/" in k)
        return original(upload_set)

    monkeypatch.setattr(uploads, "local_files", spy)
    finish(c, upload)
    assert sorted(in_bucket) == [
        f"{store.prefix}imaging/uploads/{key}/0.bin",
        f"{store.prefix}imaging/uploads/{key}/manifest.json",
    ]
    assert Series.objects.get().instances.count() == 3
    assert not [k for k in store.object_keys() if "imaging/uploads/" in k]


def test_a_packed_export_expires_after_a_day_and_a_re_export_packs_a_new_one(
    personas, capsys
) -> None:
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from atlaschart.cli import main
    from atlaschart.imaging_studies import jobs as imaging_jobs
    from atlaschart.imaging_studies.tasks import sweep_staged_uploads

    c, upload = _upload(personas, n=2)
    finish(c, upload)
    study = Study.objects.get()
    export_url = reverse("imaging_studies:export_study", args=[study.pk])
    c.post(export_url)
    job = Job.objects.get(kind=imaging_jobs.EXPORT_KIND)
    name = imaging_jobs.export_name(job)
    assert job.state == "done" and media.exists(name)
    assert sweep_staged_uploads.apply().get() == {"removed": 0, "exports_expired": 0}  # fresh

    # A day and an hour later: no service back-dates a job, so the row is changed directly.
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    assert main(["imaging", "sweep-uploads"]) == 0
    assert '"exports_expired": 1' in capsys.readouterr().out
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "expired") and not media.exists(name)
    download = reverse("imaging_studies:export_download", args=[job.pk])
    assert c.get(download).status_code == 404
    page = c.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "Export the study again" in page
    assert imaging_jobs.expire_exports() == 0  # a second sweep finds nothing

    again = c.post(export_url, follow=True)
    new = Job.objects.filter(kind=imaging_jobs.EXPORT_KIND).latest("id")
    assert new.pk != job.pk and new.state == "done" and media.exists(name)
    assert again.redirect_chain[-1][0] == reverse("imaging_studies:export_ready", args=[new.pk])


def test_a_re_export_whose_zip_vanished_packs_a_new_one(personas) -> None:
    from django.urls import reverse

    from atlaschart.imaging_studies import jobs as imaging_jobs

    c, upload = _upload(personas, n=2)
    finish(c, upload)
    export_url = reverse("imaging_studies:export_study", args=[Study.objects.get().pk])
    c.post(export_url)
    job = Job.objects.get(kind=imaging_jobs.EXPORT_KIND)
    media.delete(imaging_jobs.export_name(job))  # gone without the sweep
    c.post(export_url)
    new = Job.objects.filter(kind=imaging_jobs.EXPORT_KIND).latest("id")
    assert new.pk != job.pk and media.exists(imaging_jobs.export_name(new))
