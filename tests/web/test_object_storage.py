"""Media on S3-compatible object storage, against real servers with a real S3 client.

The servers (started by ``.ci/run``; each test skips with the reason when its server is absent):

- ``S3_TEST_URL`` — moto's server (PyPI ``moto[server]``), ``http://KEY:SECRET@127.0.0.1:PORT``.
  It stores and serves objects like S3 but checks no signature and no expiry, so
- ``S3_EXPIRY_TEST_URL`` — s3rver (npm), which refuses an expired signed URL, runs the round
  trips too and the expiry test.

What is proved: a posture photo stored through the app lands in the bucket (not on the web
node's disk) and comes back byte for byte through the photo view's signed-URL redirect, fetched
with a plain HTTP client as a browser would; every read through the view writes its access-log
row first; another clinic's photo is a 404 with no URL in it; a signed URL stops working after
MEDIA_SIGNED_URL_SECONDS; content-addressed blobs (imaging) are stored once and read back.
Without a server: the settings parsing, the local-disk default and its atomic writes.
"""

# The S3 fixture ``store`` is imported (tests/builders/object_store.py) and every test below takes
# it by name, which pyflakes reads as a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import io
import os
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from tests.builders.object_store import (  # noqa: F401  (store: the S3 fixture)
    Store,
    bucket_photo,
    photo_reads,
    store,
    stored_shot,
)

from atlaschart.audit.models import AccessLogEntry
from atlaschart.lib import media
from atlaschart.posture.models import PostureShot
from atlaschart.web import settings_storage


def _fetch(url: str) -> tuple[int, bytes, Any]:
    """GET ``url`` as a browser follows a redirect: no credentials of ours, only the URL."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http test server)
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


@pytest.mark.django_db
def test_a_posture_photo_goes_to_the_bucket_and_back_through_a_signed_url(
    store: Store, personas: Any, settings: Any
) -> None:
    data = bucket_photo()
    shot = stored_shot(personas, data)
    assert shot.image.name.startswith("posture/")
    assert [k for k in store.object_keys() if k.endswith(shot.image.name)] == [
        store.prefix + shot.image.name
    ]
    assert not Path(settings.MEDIA_ROOT).exists()  # the web node's disk holds nothing

    response = personas.login(personas.clinician).get(reverse("posture:image", args=[shot.pk]))

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    location = response["Location"]
    assert location.startswith(f"{store.endpoint}/{store.bucket}/{store.prefix}posture/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    status, body, headers = _fetch(location)
    assert status == 200
    assert body == data
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_every_read_through_the_view_writes_its_log_row_first(store: Store, personas: Any) -> None:
    shot = stored_shot(personas, bucket_photo())
    url = reverse("posture:image", args=[shot.pk])
    assert photo_reads(shot) == 0
    first = personas.login(personas.clinician).get(url)
    assert first.status_code == 302
    assert photo_reads(shot) == 1
    # Another browser session (another node behind the proxy, the same database): its own row.
    second = personas.login(personas.admin).get(url)
    assert second.status_code == 302
    assert photo_reads(shot) == 2
    row = AccessLogEntry.objects.filter(object_id=str(shot.pk), detail="photo").latest("seq")
    assert row.user_id == personas.admin.pk
    assert row.patient_id == personas.patient.pk


@pytest.mark.django_db
def test_another_clinics_photo_is_a_404_without_a_url(store: Store, personas: Any) -> None:
    shot = stored_shot(personas, bucket_photo())
    response = personas.login(personas.outsider).get(reverse("posture:image", args=[shot.pk]))
    assert response.status_code == 404
    assert "Location" not in response
    assert store.bucket.encode() not in response.content
    assert photo_reads(shot) == 0
    assert AccessLogEntry.objects.filter(user=personas.outsider, action="denied").exists()


@pytest.mark.django_db
def test_a_signed_url_expires(store: Store, personas: Any, settings: Any) -> None:
    if not store.enforces_expiry:
        pytest.skip("moto checks no signed-URL expiry; s3rver (S3_EXPIRY_TEST_URL) does")
    settings.MEDIA_SIGNED_URL_SECONDS = 1
    data = bucket_photo()
    shot = stored_shot(personas, data)
    location = personas.login(personas.clinician).get(reverse("posture:image", args=[shot.pk]))[
        "Location"
    ]
    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["1"]
    assert _fetch(location)[:2] == (200, data)
    time.sleep(2.2)
    status, body, _headers = _fetch(location)
    assert status == 403
    assert b"expired" in body
    # The view hands out a new one (and logs the read again for a new browser session).
    fresh = personas.login(personas.admin).get(reverse("posture:image", args=[shot.pk]))["Location"]
    assert _fetch(fresh)[:2] == (200, data)


@pytest.mark.django_db
def test_content_addressed_blobs_are_stored_once_and_read_back(store: Store) -> None:
    data = b"DICM" + os.urandom(4096)
    name = "imaging/blobs/ab/" + "ab" * 32
    assert media.save_once(name, data) is True
    assert media.save_once(name, data) is False  # already there: not written again
    assert store.object_keys() == [store.prefix + name]
    assert media.exists(name)
    assert media.size(name) == len(data)
    assert media.read(name) == data
    with media.open(name) as handle:
        assert handle.read(4) == b"DICM"
    with media.local_path(name) as path:  # a real file for code that needs one (pydicom, mmap)
        assert path.read_bytes() == data
    assert not path.exists()  # the temporary copy is gone
    signed = media.signed_url(name, content_type="application/dicom", download_name="영상.dcm")
    assert signed is not None
    status, body, headers = _fetch(signed)
    assert (status, body) == (200, data)
    assert "UTF-8''%EC%98%81%EC%83%81.dcm" in headers["Content-Disposition"]
    media.delete(name)
    assert not media.exists(name)
    media.delete(name)  # a file already gone is no error
    with pytest.raises(FileNotFoundError):
        media.open(name)


@pytest.mark.django_db
def test_an_imaging_upload_keeps_its_blobs_in_the_bucket_and_renders_from_them(
    store: Store, personas: Any, settings: Any
) -> None:
    from pydicom.uid import generate_uid
    from tests.builders.dicom import image

    from atlaschart.imaging_studies import services as imaging_services
    from atlaschart.imaging_studies import storage as imaging_storage
    from atlaschart.imaging_studies.models import Instance, Series
    from atlaschart.lib.actor import Actor

    settings.VAR_DIR = settings.MEDIA_ROOT + "-var"  # this node's blob cache, in the test's folder
    study, series = generate_uid(), generate_uid()
    files = [("dx.dcm", image("DX", 32, 32, study, generate_uid()))] + [
        (f"ct{k}.dcm", image("CT", 6, 8, study, series, k)) for k in range(3)
    ]
    outcome = imaging_services.receive_upload(
        Actor.system(personas.clinician, via="test"), personas.patient, files
    )
    assert isinstance(outcome, imaging_services.Imported)
    blobs = sorted(k for k in store.object_keys() if "/imaging/blobs/" in f"/{k}")
    assert len(blobs) == 4
    assert all(k.startswith(store.prefix + "imaging/blobs/") for k in blobs)
    assert not (Path(settings.MEDIA_ROOT) / "imaging" / "blobs").exists()

    clinician = personas.login(personas.clinician)
    frame = Instance.objects.get(series__modality="DX")
    png = clinician.get(reverse("imaging_studies:image", args=[frame.pk]))
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    volume = Series.objects.get(series_instance_uid=series)
    sliced = clinician.get(reverse("imaging_studies:slice", args=[volume.pk]), {"index": 1})
    assert sliced.status_code == 200
    assert sliced["Content-Type"] == "image/png"
    # The de-identified export: packed by the job into the bucket, downloaded by signed URL.
    from atlaschart.imaging_studies.models import Study

    started = clinician.post(
        reverse("imaging_studies:export_study", args=[Study.objects.get().pk]), follow=True
    )
    job = started.context["job"]
    assert [k for k in store.object_keys() if "/imaging/exports/" in f"/{k}"] == [
        f"{store.prefix}imaging/exports/{job.input_sha256}.zip"
    ]
    download = clinician.get(reverse("imaging_studies:export_download", args=[job.pk]))
    assert download.status_code == 302
    status, body, headers = _fetch(download["Location"])
    assert status == 200
    assert headers["Content-Type"] == "application/zip"
    assert "attachment" in headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(body)) as packed:
        assert len([n for n in packed.namelist() if n.endswith(".dcm")]) == 4
    # The paths pydicom read were this node's cached copies of the bucket's blobs.
    sha = frame.blob.sha256
    assert imaging_storage.blob_path(sha).read_bytes() == media.read(imaging_storage.blob_name(sha))
    assert str(imaging_storage.blob_path(sha)).startswith(str(settings.VAR_DIR))


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_carry_the_buckets_media(
    store: Store, personas: Any, tmp_path: Path
) -> None:
    if store.enforces_expiry:
        pytest.skip("one server is enough for the backup (a database dump and restore each time)")
    from atlaschart.commands.backup import BackupError, create_backup, restore_backup

    photo = stored_shot(personas, bucket_photo()).image.name
    blob = "imaging/blobs/ef/" + "ef" * 32
    media.save_once(blob, b"DICM" + bytes(range(256)) * 8)
    before = {name: media.read(name) for name in (photo, blob)}
    media.save("imaging/exports/" + "0" * 64 + ".zip", b"a packed export: made again on request")

    archive = create_backup(tmp_path / "backups", None)

    with tarfile.open(archive) as tar:
        names = sorted(tar.getnames())
    assert [n for n in names if n.startswith("media/")] == sorted(
        f"media/{name}" for name in before
    )
    # Lose the database and one file, gain a stray file: a restore without --force refuses a
    # bucket holding files.
    call_command("flush", interactive=False, verbosity=0)
    media.delete(blob)
    stray = media.save("posture/stray.jpg", b"not in the archive")
    with pytest.raises(BackupError, match="media bucket"):
        restore_backup(archive, None, force=False)
    restore_backup(archive, None, force=True)
    assert sorted(media.walk()) == sorted(before)  # the bucket equals the archive again
    assert {name: media.read(name) for name in before} == before
    assert not media.exists(stray)
    assert PostureShot.objects.filter(image=photo).exists()


def test_the_health_check_reaches_the_bucket_or_says_why_not(store: Store, settings: Any) -> None:
    where, problem = media.health()
    assert where == f"media: object storage s3://{store.bucket}/clinic-media"
    assert problem is None
    options = {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": store.bucket + "-gone"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    _where, problem = media.health()
    assert problem is not None
    assert f"{store.bucket}-gone cannot be reached" in problem


# --- without a server ------------------------------------------------------------------------


def test_local_disk_is_the_default() -> None:
    assert settings_storage.media_storage({}) == {"BACKEND": settings_storage.LOCAL_BACKEND}
    namespace = _settings_namespace()
    settings_storage.configure_storage(namespace, {})
    assert namespace["STORAGES"]["default"]["BACKEND"] == settings_storage.LOCAL_BACKEND
    assert namespace["STORAGES"]["staticfiles"] == {"BACKEND": "static"}
    assert namespace["MEDIA_SIGNED_URL_SECONDS"] == 60
    assert namespace["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'"]
    assert "SESSION_ENGINE" not in namespace  # database sessions, as Django's default


def test_a_bucket_url_configures_object_storage() -> None:
    environ = {
        "MEDIA_STORAGE_URL": "s3://clinic-media/seoul/",
        "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
        "AWS_S3_PUBLIC_ENDPOINT_URL": "https://media.clinic.example",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "MEDIA_SIGNED_URL_SECONDS": "90",
        "AWS_S3_SERVER_SIDE_ENCRYPTION": "AES256",
    }
    namespace = _settings_namespace(REDIS_URL="redis://127.0.0.1:6379/0")
    settings_storage.configure_storage(namespace, environ)
    entry = namespace["STORAGES"]["default"]
    assert entry["BACKEND"] == settings_storage.OBJECT_BACKEND
    options = entry["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("clinic-media", "seoul")
    assert options["endpoint_url"] == "http://minio.internal:9000"
    assert options["addressing_style"] == "path"
    assert options["querystring_expire"] == 90
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
    # Browsers load the signed URLs from the public address: the policy allows it, only it.
    directives = namespace["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["img-src"] == ["'self'", "https://media.clinic.example"]
    assert namespace["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_signed_urls_name_the_public_address(settings: Any) -> None:
    # Signing is local arithmetic: no server is needed to see which host a URL names.
    environ = {
        "MEDIA_STORAGE_URL": "s3://clinic-media/seoul",
        "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
        "AWS_S3_PUBLIC_ENDPOINT_URL": "https://media.clinic.example",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    settings.STORAGES = {**settings.STORAGES, "default": settings_storage.media_storage(environ)}
    settings.MEDIA_SIGNED_URL_SECONDS = 60
    url = media.signed_url("posture/a.jpg", content_type="image/jpeg")
    assert url is not None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "media.clinic.example")
    assert parts.path == "/clinic-media/seoul/posture/a.jpg"
    assert parse_qs(parts.query)["X-Amz-Expires"] == ["60"]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MEDIA_STORAGE_URL": "/srv/media"}, "s3://bucket/prefix"),
        ({"MEDIA_STORAGE_URL": "s3:///prefix"}, "s3://bucket/prefix"),
        (
            {"MEDIA_STORAGE_URL": "s3://b", "AWS_S3_ENDPOINT_URL": "minio:9000"},
            "http(s)://",
        ),
        ({"MEDIA_SIGNED_URL_SECONDS": "0"}, "from 1 to 3600"),
        ({"MEDIA_SIGNED_URL_SECONDS": "a minute"}, "from 1 to 3600"),
        ({"MEDIA_SIGNED_URL_SECONDS": "604800"}, "from 1 to 3600"),
    ],
)
def test_a_wrong_setting_stops_the_start_with_its_name(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        settings_storage.configure_storage(_settings_namespace(), environ)


@pytest.mark.django_db
def test_on_local_disk_the_photo_is_streamed_by_the_app(
    personas: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    data = bucket_photo()
    shot = stored_shot(personas, data)
    assert (tmp_path / "media" / shot.image.name).read_bytes() == data
    response = personas.login(personas.clinician).get(reverse("posture:image", args=[shot.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == data
    assert photo_reads(shot) == 1
    assert media.signed_url(shot.image.name, content_type="image/jpeg") is None
    assert media.health() == (f"media: local disk ({tmp_path / 'media'})", None)


def test_local_writes_never_show_half_a_file_or_overwrite(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    first = media.save("reports/r.pdf", b"first")
    second = media.save("reports/r.pdf", b"second")
    assert first == "reports/r.pdf"
    assert second != first  # a taken name gets another, as Django's FileSystemStorage does
    assert media.read(first) == b"first"
    assert media.read(second) == b"second"
    assert media.save_once("imaging/blobs/cd/cd", b"blob") is True
    assert media.save_once("imaging/blobs/cd/cd", b"blob") is False
    leftovers = [p.name for p in (tmp_path / "media").rglob(".*")]
    assert leftovers == []  # no temporary .part file left beside the media


def _settings_namespace(**extra: Any) -> dict[str, Any]:
    return {
        "STORAGES": {"default": {"BACKEND": "old"}, "staticfiles": {"BACKEND": "static"}},
        "CONTENT_SECURITY_POLICY": {"DIRECTIVES": {"img-src": ["'self'"], "connect-src": []}},
        **extra,
    }
