"""Where media files live and where sessions are kept: one machine or a clinic network.

``settings.py`` calls :func:`configure_storage` last. With nothing set, media stay on this
machine's disk under ``MEDIA_ROOT`` (the default). A clinic network, with several web nodes and
Celery workers behind one proxy, keeps no state on any node (docs/deployment.md):

``MEDIA_STORAGE_URL=s3://bucket/prefix``
    media on S3-compatible object storage (MinIO, Ceph, AWS S3...) through django-storages,
    handed to browsers only as URLs signed for ``MEDIA_SIGNED_URL_SECONDS`` (default 60).
``AWS_S3_ENDPOINT_URL``
    the store's address as the web nodes reach it (unset: AWS itself).
``AWS_S3_PUBLIC_ENDPOINT_URL``
    the store's address as browsers reach it, when that differs (signed URLs name it).
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (/ ``AWS_SESSION_TOKEN``)
    credentials; unset: boto3's usual chain (instance role, ~/.aws).
``AWS_S3_REGION_NAME`` (default us-east-1), ``AWS_S3_ADDRESSING_STYLE`` (default ``path``
    with an endpoint, which every S3-compatible server speaks), ``AWS_S3_VERIFY`` (a CA bundle
    path, or 0 to skip TLS verification on a lab network), ``AWS_S3_SERVER_SIDE_ENCRYPTION``
    (``AES256`` or ``aws:kms``, asked of the store on every write).
``REDIS_URL``
    besides the cache (settings.py): sessions in the database with Redis in front
    (``cached_db``), so every node sees every session and a Redis restart signs nobody out.

Parsing is a pure function of the environment (tested in tests/web/test_object_storage.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_BACKEND = "atlaschart.lib.media.LocalMediaStorage"
OBJECT_BACKEND = "atlaschart.lib.media.ObjectStorage"
DEFAULT_SIGNED_URL_SECONDS = 60
# Longer than a page takes to load its images, short enough that a URL copied out of the
# browser is useless by the time it reaches anyone else. AWS caps presigned URLs at a week.
MAX_SIGNED_URL_SECONDS = 3600


def media_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry the environment asks for."""
    url = environ.get("MEDIA_STORAGE_URL", "").strip()
    if not url:
        return {"BACKEND": LOCAL_BACKEND}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must look like s3://bucket/prefix (or be unset for the local "
            f"disk under MEDIA_ROOT): {url!r}"
        )
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None
    public_endpoint = environ.get("AWS_S3_PUBLIC_ENDPOINT_URL", "").strip() or None
    for name, value in (
        ("AWS_S3_ENDPOINT_URL", endpoint),
        ("AWS_S3_PUBLIC_ENDPOINT_URL", public_endpoint),
    ):
        if value and urlsplit(value).scheme not in {"http", "https"}:
            raise ImproperlyConfigured(f"{name} must be an http(s):// address: {value!r}")
    options: dict[str, Any] = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "endpoint_url": endpoint,
        "public_endpoint_url": public_endpoint,
        "region_name": environ.get("AWS_S3_REGION_NAME", "").strip() or "us-east-1",
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "security_token": environ.get("AWS_SESSION_TOKEN") or None,
        "signature_version": "s3v4",
        "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE", "").strip()
        or ("path" if endpoint else None),
        # Private objects, read only through signed URLs; names are random or content hashes,
        # and a taken name gets another one rather than overwriting.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": signed_url_seconds(environ),
        "file_overwrite": False,
    }
    verify = environ.get("AWS_S3_VERIFY", "").strip()
    if verify:
        options["verify"] = False if verify == "0" else verify
    encryption = environ.get("AWS_S3_SERVER_SIDE_ENCRYPTION", "").strip()
    if encryption:
        options["object_parameters"] = {"ServerSideEncryption": encryption}
    return {"BACKEND": OBJECT_BACKEND, "OPTIONS": options}


def signed_url_seconds(environ: Mapping[str, str]) -> int:
    raw = environ.get("MEDIA_SIGNED_URL_SECONDS", "").strip() or str(DEFAULT_SIGNED_URL_SECONDS)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SIGNED_URL_SECONDS:
        raise ImproperlyConfigured(
            f"MEDIA_SIGNED_URL_SECONDS must be a whole number of seconds from 1 to "
            f"{MAX_SIGNED_URL_SECONDS}: {raw!r}"
        )
    return int(raw)


def media_origins(entry: Mapping[str, Any]) -> list[str]:
    """The origins browsers fetch signed media URLs from, for the Content-Security-Policy."""
    if entry["BACKEND"] != OBJECT_BACKEND:
        return []
    options = entry["OPTIONS"]
    endpoint = options["public_endpoint_url"] or options["endpoint_url"]
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket, region = options["bucket_name"], options["region_name"]
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]


def configure_storage(namespace: dict[str, Any], environ: Mapping[str, str] | None = None) -> None:
    """Set media storage, signed-URL lifetime, the CSP sources and the session engine in the
    settings module's ``namespace``."""
    environ = os.environ if environ is None else environ
    entry = media_storage(environ)
    namespace["STORAGES"] = {**namespace["STORAGES"], "default": entry}
    namespace["MEDIA_SIGNED_URL_SECONDS"] = signed_url_seconds(environ)
    origins = media_origins(entry)
    if origins:
        directives = namespace["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
        # <img> and the SVG <image> of the posture editor follow the redirect to the store;
        # a script's fetch() would need connect-src (and CORS on the bucket).
        for directive in ("img-src", "connect-src"):
            directives[directive] = [*directives[directive], *origins]
    if namespace.get("REDIS_URL"):
        namespace["SESSION_ENGINE"] = "django.contrib.sessions.backends.cached_db"
