"""Resumable chunked uploads: the browser sends each file in chunks, the server appends them to a
file on disk, and a dropped connection resumes from the last stored byte.

The protocol is the core of tus 1.0 (https://tus.io/protocols/resumable-upload), cut to what the
import needs and spoken by our own small ``static/imaging_studies/upload.js``:

* ``POST  /imaging/patients/<id>/uploads/`` with JSON ``{"files": [{"name", "size"}, ...]}``
  opens an upload set and answers ``201`` with, per file, its ``url`` and ``offset`` (0), the
  chunk size to use and the ``finish_url``.
* ``HEAD  <file url>`` answers ``Upload-Offset`` (bytes stored) and ``Upload-Length``.
* ``PATCH <file url>`` with ``Upload-Offset: n`` and a body of at most ``MAX_CHUNK_BYTES``
  (``Content-Type: application/offset+octet-stream``) appends the body when ``n`` is exactly the
  stored size, and answers ``204`` with the new ``Upload-Offset``; any other ``n`` is a ``409``
  that names the stored offset, so a client whose connection dropped asks (HEAD) and resends
  from there. Bytes that arrived before a drop are kept (they are a correct prefix).
* ``POST <finish_url>`` once every file is complete starts the import job.

Why not a library: the kept Django tus servers (django-tus, django-chunked-upload) are
unmaintained since 2019-2020 and keep upload state in the per-process cache or need a REST
framework; tus-js-client would need a JavaScript build step this project does not have. The
server half is about 150 lines, tested with dropped connections (tests/web/test_imaging_chunked.py).

Storage: an upload set is a folder ``MEDIA_ROOT/imaging/tmp/<key>/`` (``storage.stage`` uses the
same area) holding ``manifest.json`` (user, patient, file names and sizes) and one ``<n>.bin``
per file. The key is 128 random bits; every request reaches the patient through its door
(clinic-scoped, logged) and checks the set is that patient's. Sets nobody finished age out with
the staged uploads (``storage.sweep_staged``, an hour after the last chunk): each chunk touches
the folder, so a slow 1 GB upload is never swept while it is still arriving.

A clinic network: the chunks arrive on one web node's disk, but the import job may run on a
worker on another node. So when the last chunk of a set is in (the finish request, or the plain
form's files), :func:`publish` moves the set into the media storage (``lib/media``: the same
MEDIA_ROOT on one machine, the bucket on a network) under ``imaging/uploads/<key>/``, with the
sha256 of each file in its manifest; :func:`load_set` finds it there from any node, and
:func:`local_files` gives the import a path on its own disk (``media.local_path``: the file
itself on local disk, a temporary copy from the bucket). Published sets nobody imported age out
like the staged ones (:func:`sweep_published`, through ``media.walk``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.core.files.base import ContentFile
from django.http import UnreadablePostError

from atlaschart.imaging_studies import storage, upload
from atlaschart.lib import media

#: Where complete upload sets wait for their import job in the media storage.
MEDIA_PREFIX = "imaging/uploads"

#: The chunk size the browser is told to use (8 MiB: a few seconds on a slow clinic uplink, so
#: a drop loses little, and few enough requests for a 1 GB study).
CHUNK_BYTES = 8 * 1024 * 1024
#: The largest chunk the server accepts.
MAX_CHUNK_BYTES = 16 * 1024 * 1024
#: The most files in one upload set (a folder of single-slice DICOM files).
MAX_FILES = 5000
COPY_BYTES = 1024 * 1024


class UploadSetError(ValueError):
    """The upload set cannot take this request: ``code`` says why (``offset`` for a 409)."""

    def __init__(self, code: str, offset: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.offset = offset


@dataclass(frozen=True)
class UploadFile:
    index: int
    name: str
    size: int
    path: Path
    #: Set once the set is published: the file's name in the media storage and its sha256.
    media_name: str = ""
    sha256: str = ""

    @property
    def stored(self) -> int:
        if self.media_name:
            return self.size  # only a complete set is published
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    @property
    def complete(self) -> bool:
        return self.stored == self.size


@dataclass(frozen=True)
class UploadSet:
    key: str
    folder: Path
    user_id: int
    patient_id: int
    files: tuple[UploadFile, ...]
    created_at: float
    published: bool = False

    @property
    def complete(self) -> bool:
        return all(f.complete for f in self.files)

    @property
    def paths(self) -> list[Path]:
        """The files on this node's disk (before :func:`publish`; afterwards use
        :func:`local_files`)."""
        return [f.path for f in self.files]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.files]


def _root() -> Path:
    return storage.work_root()


def _clean_name(name: Any) -> str:
    text = str(name or "").replace("\x00", "").replace("\\", "/").split("/")[-1].strip()
    return text[:200] or "upload"


def open_set(files: Iterable[tuple[str, int]], *, user_id: int, patient_id: int) -> UploadSet:
    """A new, empty upload set for these (name, size) files; ``too-large`` past the upload
    limit, ``bad-request`` for no files, too many or a negative size."""
    items = [(_clean_name(n), int(s)) for n, s in files]
    if not items or len(items) > MAX_FILES or any(s < 0 for _n, s in items):
        raise UploadSetError("bad-request")
    if sum(s for _n, s in items) > upload.max_upload_bytes():
        raise UploadSetError("too-large")
    key = secrets.token_hex(16)
    folder = _root() / key
    folder.mkdir(parents=True)
    manifest = {
        "kind": "chunked",
        "user": user_id,
        "patient": patient_id,
        "created": time.time(),
        "files": [{"name": n, "size": s} for n, s in items],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for i in range(len(items)):
        (folder / f"{i}.bin").touch()
    return _written(key, patient_id)


def store_files(
    files: Iterable[tuple[str, Iterable[bytes]]], *, user_id: int, patient_id: int
) -> UploadSet:
    """An upload set filled at once from (name, chunks) — the plain form without JavaScript,
    whose files Django has already spooled to disk; each is copied chunk by chunk."""
    key = secrets.token_hex(16)
    folder = _root() / key
    folder.mkdir(parents=True)
    items = []
    total = 0
    try:
        for i, (name, chunks) in enumerate(files):
            size = 0
            with (folder / f"{i}.bin").open("wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    total += len(chunk)
                    if total > upload.max_upload_bytes():
                        raise UploadSetError("too-large")
                    out.write(chunk)
            items.append({"name": _clean_name(name), "size": size})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    manifest = {
        "kind": "form",
        "user": user_id,
        "patient": patient_id,
        "created": time.time(),
        "files": items,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return _written(key, patient_id)


def _written(key: str, patient_id: int) -> UploadSet:
    """The set just written under ``key``, read back as every later request reads it."""
    written = load_set(key, patient_id=patient_id)
    if written is None:
        raise RuntimeError(f"the upload set {key} just written could not be read back")
    return written


def load_set(key: str, *, patient_id: int) -> UploadSet | None:
    """The upload set ``key`` of this patient; ``None`` for an unknown, foreign, removed or
    malformed one (the views answer 404). The views reach the patient through its door first,
    so a set is only ever handed to a user of the patient's clinic allowed to import images;
    the key itself (128 random bits) is known only to the browser that opened the set."""
    if not (isinstance(key, str) and len(key) == 32 and key.isalnum() and key.isascii()):
        return None
    folder = _root() / key
    try:
        if not (folder / "manifest.json").exists():
            return _load_published(key, patient_id=patient_id)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest["patient"] != patient_id:
            return None
        files = tuple(
            UploadFile(i, str(f["name"]), int(f["size"]), folder / f"{i}.bin")
            for i, f in enumerate(manifest["files"])
        )
        return UploadSet(
            key,
            folder,
            int(manifest["user"]),
            int(manifest["patient"]),
            files,
            float(manifest["created"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _media_folder(key: str) -> str:
    return f"{MEDIA_PREFIX}/{key}"


def _load_published(key: str, *, patient_id: int) -> UploadSet | None:
    try:
        manifest = json.loads(media.read(f"{_media_folder(key)}/manifest.json"))
    except FileNotFoundError:
        return None
    if manifest["patient"] != patient_id:
        return None
    base = _media_folder(key)
    files = tuple(
        UploadFile(
            i,
            str(f["name"]),
            int(f["size"]),
            Path(f"{i}.bin"),
            media_name=f"{base}/{i}.bin",
            sha256=str(f["sha256"]),
        )
        for i, f in enumerate(manifest["files"])
    )
    return UploadSet(
        key,
        _root() / key,
        int(manifest["user"]),
        int(manifest["patient"]),
        files,
        float(manifest["created"]),
        published=True,
    )


def publish(upload_set: UploadSet) -> UploadSet:
    """Move a complete set from this node's upload area into the media storage, where a worker
    on any node finds it; the local folder goes. A set published already is handed back."""
    if upload_set.published:
        return upload_set
    base = _media_folder(upload_set.key)
    manifest = json.loads((upload_set.folder / "manifest.json").read_text(encoding="utf-8"))
    stored: list[str] = []
    try:
        for f, entry in zip(upload_set.files, manifest["files"], strict=True):
            entry["sha256"] = storage.sha256_of_file(f.path)
            with f.path.open("rb") as handle:
                stored.append(media.save(f"{base}/{f.index}.bin", handle))
        manifest["published"] = time.time()
        # The manifest last: a set without one is not found, and is swept as a leftover.
        stored.append(
            media.save(f"{base}/manifest.json", ContentFile(json.dumps(manifest).encode()))
        )
    except BaseException:
        for name in stored:
            media.delete(name)
        raise
    shutil.rmtree(upload_set.folder, ignore_errors=True)
    published = _load_published(upload_set.key, patient_id=upload_set.patient_id)
    assert published is not None
    return published


@contextlib.contextmanager
def local_files(upload_set: UploadSet) -> Iterator[list[Path]]:
    """The set's files as paths on this node's disk, for the import."""
    if not upload_set.published:
        yield upload_set.paths
        return
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(media.local_path(f.media_name)) for f in upload_set.files]


def sweep_published(max_age_s: int = storage.TOKEN_MAX_AGE_S, *, now: float | None = None) -> int:
    """Remove published sets (and leftovers of a publish that died) not touched for
    ``max_age_s``; returns how many sets were removed. Through ``media.walk``, so it sweeps the
    bucket of a clinic network as well as the local disk."""
    cutoff = (time.time() if now is None else now) - max_age_s
    by_key: dict[str, list[str]] = {}
    for name in media.walk(MEDIA_PREFIX):
        key = name[len(MEDIA_PREFIX) + 1 :].split("/", 1)[0]
        by_key.setdefault(key, []).append(name)
    removed = 0
    for names in by_key.values():
        try:
            newest = max(media.modified_time(n).timestamp() for n in names)
        except (FileNotFoundError, OSError):
            continue  # removed meanwhile by another sweep or the import
        if newest >= cutoff:
            continue
        for name in names:
            media.delete(name)
        removed += 1
    return removed


class ByteSource(Protocol):
    """What a chunk is read from: the request body (``HttpRequest.read``) or an open file."""

    def read(self, size: int, /) -> bytes: ...


def append(item: UploadFile, offset: int, length: int, body: ByteSource) -> int:
    """Append ``length`` bytes read from ``body`` at ``offset``; returns the new stored size.

    ``offset`` must be the stored size (else ``UploadSetError("offset", stored)``, a 409), the
    chunk at most ``MAX_CHUNK_BYTES`` and the file no longer than declared. The file is locked
    for the append, so two requests racing for the same offset cannot both write. Bytes read
    before the connection dropped stay stored."""
    if length < 0 or length > MAX_CHUNK_BYTES:
        raise UploadSetError("chunk-too-large")
    if item.media_name:  # published: complete, nothing more to take
        if offset == item.size and length == 0:
            return item.size
        raise UploadSetError("offset", item.size)
    fd = os.open(item.path, os.O_WRONLY | os.O_APPEND)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        stored = os.fstat(fd).st_size
        if offset != stored:
            raise UploadSetError("offset", stored)
        if stored + length > item.size:
            raise UploadSetError("past-end", stored)
        left = length
        try:
            while left > 0:
                chunk = body.read(min(COPY_BYTES, left))
                if not chunk:
                    break
                os.write(fd, chunk)
                left -= len(chunk)
        except (OSError, UnreadablePostError):
            pass  # the client went away mid-chunk: what arrived stays, the offset says so
        stored = os.fstat(fd).st_size
    finally:
        os.close(fd)  # closing releases the lock
    os.utime(item.path.parent)  # a set still receiving chunks does not age out
    if stored != offset + length:
        raise UploadSetError("incomplete", stored)
    return stored


def save_differences(upload_set: UploadSet, differences: list[dict[str, Any]]) -> None:
    """Keep the identity differences the import job found, for the confirmation page."""
    text = json.dumps(differences)
    if upload_set.published:
        name = f"{_media_folder(upload_set.key)}/differences.json"
        media.delete(name)
        media.save(name, ContentFile(text.encode()))
        return
    (upload_set.folder / "differences.json").write_text(text, encoding="utf-8")


def differences(upload_set: UploadSet) -> list[dict[str, Any]] | None:
    """The differences waiting for a person to confirm (``None``: the set is not staged)."""
    try:
        if upload_set.published:
            raw = media.read(f"{_media_folder(upload_set.key)}/differences.json").decode()
        else:
            raw = (upload_set.folder / "differences.json").read_text(encoding="utf-8")
        found = json.loads(raw)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, list) and found else None


def discard(upload_set: UploadSet) -> None:
    if upload_set.published:
        for name in list(media.walk(_media_folder(upload_set.key))):
            media.delete(name)
    shutil.rmtree(upload_set.folder, ignore_errors=True)


def input_sha256(upload_set: UploadSet) -> str:
    """The sha256 of the set's contents (each file's sha256 and name, in order)."""
    digest = hashlib.sha256()
    for f in upload_set.files:
        digest.update((f.sha256 or storage.sha256_of_file(f.path)).encode())
        digest.update(b"\0")
    return digest.hexdigest()
