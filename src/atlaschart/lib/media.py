"""Media files (posture photos, imaging blobs, report files) through Django's storage API.

Every app reads and writes media through these helpers (or a ``FileField``, which uses the same
storage), never through a filesystem path built from ``MEDIA_ROOT``: the same code then runs on
the local disk of one machine (the default) and on S3-compatible object storage shared by a
clinic network (``MEDIA_STORAGE_URL=s3://bucket/prefix``, web/settings_storage.py,
docs/deployment.md).

Names are storage names: relative, ``/``-separated (``posture/<uuid>.jpg``,
``imaging/blobs/ab/<sha256>``). No media file is ever reachable at a public URL. A view hands one
out only after its door has checked the acting user's clinic and written the access-log row,
then calls :func:`serve`: on local disk it streams the file; on object storage it redirects to a
URL signed for ``MEDIA_SIGNED_URL_SECONDS`` (60 s by default), so the bytes do not pass through
the web node.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

# Headers every media response carries: a patient's file is never kept by a browser or a proxy.
NO_STORE = "private, no-store"


class LocalMediaStorage(FileSystemStorage):
    """Local disk, where a reader never sees half a file.

    Django's FileSystemStorage writes straight into the final name, so a concurrent reader (a
    second upload of the same content-addressed blob that finds it "already there", a backup)
    can read a file still being written. Here the bytes go to a temporary file in the same
    folder first and are then linked into place, which is atomic and, like ``O_EXCL``, refuses
    a name that exists (then the next free name is taken, as Django does).
    """

    def _save(self, name: str, content: File[Any]) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        if self.directory_permissions_mode is not None:
            os.chmod(directory, self.directory_permissions_mode)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            while True:
                try:
                    _link_into_place(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        return str(name).replace("\\", "/")


def _link_into_place(temporary: str, final: str) -> None:
    """Hard-link ``temporary`` to ``final`` (fails if ``final`` exists); where the file system
    has no hard links, an exclusive create plus rename gives the same guarantees."""
    try:
        os.link(temporary, final)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL))  # claims the name
        os.replace(temporary, final)


@functools.cache
def _object_storage_class() -> type[Storage]:
    # Imported only when object storage is configured: boto3 costs ~0.3 s to import.
    from storages.backends.s3 import S3Storage

    class ObjectStorage(S3Storage):  # type: ignore[misc]
        """django-storages' S3 backend, plus the address browsers use for signed URLs.

        In a clinic network the web nodes often reach the object store by an internal name
        (``http://minio:9000``) that browsers cannot; a signature covers the host, so the URL is
        signed for ``public_endpoint_url`` (AWS_S3_PUBLIC_ENDPOINT_URL) when one is set.
        Signing is local arithmetic: no request goes to that address.
        """

        def get_default_settings(self) -> dict[str, Any]:
            return {**super().get_default_settings(), "public_endpoint_url": None}

        def url(
            self,
            name: str,
            parameters: dict[str, Any] | None = None,
            expire: int | None = None,
            http_method: str | None = None,
        ) -> str:
            if not self.public_endpoint_url:
                return str(super().url(name, parameters, expire, http_method))
            params = {
                **(parameters or {}),
                "Bucket": self.bucket_name,
                "Key": self._normalize_name(name),
            }
            return str(
                self._public_client().generate_presigned_url(
                    "get_object",
                    Params=params,
                    ExpiresIn=self.querystring_expire if expire is None else expire,
                    HttpMethod=http_method,
                )
            )

        def _public_client(self) -> Any:
            # A boto3 client costs milliseconds to make: one per thread, as the backend keeps
            # its own connection.
            local = self.__dict__.setdefault("_public_clients", threading.local())
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = self._create_session().client(
                    "s3",
                    region_name=self.region_name,
                    endpoint_url=self.public_endpoint_url,
                    config=self.client_config,
                )
            return client

    return ObjectStorage


def __getattr__(attribute: str) -> Any:
    # ``atlaschart.lib.media.ObjectStorage`` as a STORAGES backend path, built on first use.
    if attribute == "ObjectStorage":
        return _object_storage_class()
    raise AttributeError(attribute)


def health() -> tuple[str, str | None]:
    """Where media live, in one line, and a problem when the object store cannot be reached
    with the configured address and key (for ``atlaschart check`` and a deployment's smoke
    test); ``None`` when all is well."""
    if not is_object_storage():
        return f"media: local disk ({settings.MEDIA_ROOT})", None
    backend: Any = storage()
    where = f"media: object storage s3://{backend.bucket_name}/{backend.location}"
    try:
        backend.connection.meta.client.head_bucket(Bucket=backend.bucket_name)
    except Exception as exc:  # botocore: credentials, network, no such bucket
        return where, f"the media bucket {backend.bucket_name} cannot be reached: {exc}"
    return where, None


def storage() -> Storage:
    """The media storage (``STORAGES["default"]``), as ``FileField`` uses it."""
    return storages["default"]


def is_object_storage() -> bool:
    """Whether media live in object storage (signed URLs) rather than on this machine's disk."""
    return not isinstance(storage(), FileSystemStorage)


def save(name: str, content: bytes | IO[bytes] | File[Any]) -> str:
    """Store ``content`` under ``name``; returns the name actually used (Django picks another
    one when ``name`` is taken)."""
    return storage().save(name, _as_file(content))


def save_once(name: str, content: bytes | IO[bytes] | File[Any]) -> bool:
    """Store content-addressed ``content`` under ``name`` unless it is there already.

    Returns whether this call stored it. Two writers racing on one name store the same bytes;
    the loser's copy (saved under another free name) is removed.
    """
    if exists(name):
        return False
    saved = save(name, content)
    if saved != name:
        delete(saved)
        return False
    return True


def open(name: str, mode: str = "rb") -> File[Any]:  # mirrors Storage.open
    """The file, to read in chunks (``with media.open(name) as handle``); FileNotFoundError when
    it is missing, on every backend."""
    try:
        return storage().open(name, mode)
    except FileNotFoundError:
        raise
    except OSError as exc:  # django-storages raises a bare OSError for a missing key
        raise FileNotFoundError(errno.ENOENT, f"media file missing: {name}") from exc


def read(name: str) -> bytes:
    with open(name) as handle:
        data = handle.read()
    return bytes(data)


def exists(name: str) -> bool:
    return bool(storage().exists(name))


def delete(name: str) -> None:
    """Remove the file; a file already gone is not an error."""
    storage().delete(name)


def size(name: str) -> int:
    return int(storage().size(name))


def modified_time(name: str) -> datetime:
    return storage().get_modified_time(name)


def listdir(prefix: str) -> tuple[list[str], list[str]]:
    """Folders and files directly under ``prefix`` (on object storage: common prefixes)."""
    folders, files = storage().listdir(prefix)
    return list(folders), list(files)


def walk(prefix: str = "") -> Iterator[str]:
    """Every file name under ``prefix``, in name order (a backup, a sweep)."""
    if is_object_storage():
        # django-storages' S3 backend, which ships no type information (location, bucket).
        backend: Any = storage()
        # One flat listing (1,000 names a request) rather than one request per folder.
        location = str(backend.location).strip("/")
        root = "/".join(part for part in (location, prefix.strip("/")) if part)
        skip = len(location) + 1 if location else 0
        for item in backend.bucket.objects.filter(Prefix=f"{root}/" if root else ""):
            if not item.key.endswith("/"):  # a folder marker some tools write
                yield str(item.key)[skip:]
        return
    try:
        folders, files = listdir(prefix)
    except FileNotFoundError:  # local disk: no such folder yet
        return
    base = f"{prefix.rstrip('/')}/" if prefix else ""
    for file_name in sorted(files):
        if not (file_name.startswith(".") and file_name.endswith(".part")):  # being written
            yield base + file_name
    for folder in sorted(folders):
        yield from walk(base + folder)


@contextlib.contextmanager
def local_path(name: str) -> Iterator[Path]:
    """A path on this machine's disk holding the file's bytes, for code that needs a real file
    (memory-mapping, a library that only takes paths).

    On local disk this is the file itself (read-only use). On object storage the file is copied
    in chunks to a temporary file, removed when the block ends.
    """
    backend = storage()
    try:
        path = Path(backend.path(name))
    except NotImplementedError:
        pass
    else:
        if not path.exists():
            raise FileNotFoundError(errno.ENOENT, f"media file missing: {name}")
        yield path
        return
    suffix = Path(name).suffix
    with tempfile.NamedTemporaryFile(prefix="atlaschart-media-", suffix=suffix) as copy:
        with open(name) as source:
            shutil.copyfileobj(source, copy, length=1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def signed_url(
    name: str,
    *,
    content_type: str,
    download_name: str | None = None,
    seconds: int | None = None,
) -> str | None:
    """A URL to the file itself, valid for ``seconds`` (MEDIA_SIGNED_URL_SECONDS by default),
    that tells the object store to answer with ``content_type``, no caching and, given
    ``download_name``, as a download. ``None`` on local disk, which has no such URL."""
    if not is_object_storage():
        return None
    parameters = {"ResponseContentType": content_type, "ResponseCacheControl": NO_STORE}
    if download_name:
        parameters["ResponseContentDisposition"] = _disposition(download_name)
    expire = seconds if seconds is not None else settings.MEDIA_SIGNED_URL_SECONDS
    # The S3 backend's url() takes the signing parameters (django-storages, untyped).
    object_backend: Any = storage()
    return str(object_backend.url(name, parameters=parameters, expire=expire))


def serve(name: str, *, content_type: str, download_name: str | None = None) -> HttpResponseBase:
    """The response that hands out one media file, AFTER the caller's door has checked the
    acting user's clinic and written the access-log row.

    Object storage: a redirect to a short-lived signed URL. Local disk: the file streamed from
    this process. Either way nothing may cache it; a file the database names but storage lacks
    is a 404.
    """
    location = signed_url(name, content_type=content_type, download_name=download_name)
    response: HttpResponseBase
    if location is not None:
        response = HttpResponseRedirect(location)
    else:
        try:
            handle = open(name)
        except FileNotFoundError as exc:
            logger.error("media file %s is named in the database but missing from storage", name)
            raise Http404("media file missing") from exc
        response = FileResponse(handle, content_type=content_type)
        if download_name:
            response["Content-Disposition"] = _disposition(download_name)
    response["Cache-Control"] = NO_STORE
    return response


def _disposition(download_name: str) -> str:
    # RFC 6266: an ASCII fallback and the UTF-8 name (Hangul file names survive).
    ascii_name = download_name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download_name)}"


def _as_file(content: bytes | IO[bytes] | File[Any]) -> File[Any]:
    if isinstance(content, File):
        return content
    if isinstance(content, bytes | bytearray):
        return ContentFile(bytes(content))
    return File(content)
