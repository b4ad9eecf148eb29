"""The S3 test servers as a pytest fixture: ``store`` points the media storage at a fresh bucket
of each server that runs, and skips with the reason when its server is absent.

- ``S3_TEST_URL`` — moto's server (PyPI ``moto[server]``), ``http://KEY:SECRET@127.0.0.1:PORT``.
  It stores and serves objects like S3 but checks no signature and no expiry, so
- ``S3_EXPIRY_TEST_URL`` — s3rver (npm), which refuses an expired signed URL.

``.ci/run`` starts both. A test module takes the fixture by importing it::

    from tests.builders.object_store import Store, store  # noqa: F401  (the S3 fixture)

and the photo those tests store (``bucket_photo``, ``stored_shot``) with its logged reads
(``photo_reads``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from atlaschart.audit.models import AccessLogEntry
from atlaschart.posture.models import PostureShot
from atlaschart.web import settings_storage
from tests.builders.photos import flat_jpeg
from tests.factories.posture import posture_session, posture_shot

SERVERS = {
    # name: (environment variable, whether it refuses an expired signed URL)
    "moto": ("S3_TEST_URL", False),
    "s3rver": ("S3_EXPIRY_TEST_URL", True),
}


@dataclass
class Store:
    client: Any
    bucket: str
    prefix: str
    endpoint: str
    enforces_expiry: bool

    def object_keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listing.get("Contents", [])]


def _client(endpoint: str, key: str, secret: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture(params=sorted(SERVERS))
def store(request: Any, settings: Any, tmp_path: Path) -> Iterator[Store]:
    variable, enforces_expiry = SERVERS[request.param]
    url = os.environ.get(variable, "")
    if not url:
        pytest.skip(f"{request.param}: {variable} is not set (.ci/run starts the server)")
    parts = urlsplit(url)
    endpoint = f"{parts.scheme}://{parts.hostname}:{parts.port}"
    key, secret = parts.username or "test", parts.password or "test"
    client = _client(endpoint, key, secret)
    bucket = f"atlaschart-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    environ = {
        "MEDIA_STORAGE_URL": f"s3://{bucket}/clinic-media",
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
    }
    # The same parsing the settings module does, so the test runs the deployed configuration.
    settings.STORAGES = {**settings.STORAGES, "default": settings_storage.media_storage(environ)}
    settings.MEDIA_SIGNED_URL_SECONDS = 60
    settings.MEDIA_ROOT = str(tmp_path / "media")  # must stay empty: nothing on the node's disk
    yield Store(client, bucket, "clinic-media/", endpoint, enforces_expiry)
    for stored in Store(client, bucket, "", endpoint, enforces_expiry).object_keys():
        client.delete_object(Bucket=bucket, Key=stored)
    client.delete_bucket(Bucket=bucket)


def bucket_photo() -> bytes:
    """The photo the object-storage tests store: a flat 40 x 30 JPEG (small for a quick round
    trip; its width tells that a browser decoded it)."""
    return flat_jpeg(40, 30, (120, 80, 40))


def stored_shot(personas: Any, data: bytes) -> PostureShot:
    """A posture shot of the personas' patient holding ``data``, stored as an upload is: through
    posture/services.py and the FileField, i.e. the default storage (the bucket under ``store``)."""
    session = posture_session(personas.clinician, personas.patient)
    return posture_shot(personas.clinician, session, [], photo=data)


def photo_reads(shot: PostureShot) -> int:
    """How many reads of ``shot``'s photo through the app's view the access log holds."""
    return AccessLogEntry.objects.filter(
        object_type="posture.postureshot", object_id=str(shot.pk), action="view", detail="photo"
    ).count()
