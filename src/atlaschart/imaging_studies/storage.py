"""Where imaging bytes live: content-addressed blobs and the temporary upload area.

Blobs: ``imaging/blobs/<2 hex>/<sha256>`` in the media storage (lib/media.py: MEDIA_ROOT on
local disk, or the object-storage bucket), written once and whole (a reader never sees half a
file). Never served by a public media URL: only views that go through ``access.py`` read them.

Upload area: MEDIA_ROOT/imaging/tmp/<random key>/ holds an upload waiting for the clinician to
confirm a patient identity difference. The key travels only inside a token signed for one user and
one patient, valid for an hour.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files import File

from atlaschart.lib import media

TOKEN_SALT = "atlaschart.imaging_studies.upload"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE_S = 3600


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imaging"


def blob_name(sha256: str) -> str:
    """The blob's name in the media storage."""
    return f"imaging/blobs/{sha256[:2]}/{sha256}"


def blob_path(sha256: str) -> Path:
    """A file on this machine holding the blob, for readers that need a path (pydicom, the
    volume builder). On local disk the blob itself; on object storage a copy in this node's
    blob cache, fetched on first use (a blob never changes under its hash, so a copy never goes
    stale). FileNotFoundError there when the store lacks it."""
    if not media.is_object_storage():
        return _root() / "blobs" / sha256[:2] / sha256
    cached = _blob_cache_path(sha256)
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{sha256}.{secrets.token_hex(4)}")
        try:
            with media.open(blob_name(sha256)) as source, tmp.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            os.replace(tmp, cached)
        finally:
            tmp.unlink(missing_ok=True)
    return cached


def _blob_cache_path(sha256: str) -> Path:
    # Node-local, outside MEDIA_ROOT (not backed up): docs/deployment.md, "still node-local".
    return Path(settings.VAR_DIR) / "imaging-blob-cache" / sha256[:2] / sha256


def sha256_of_file(path: Path) -> str:
    """The sha256 of a file, read in chunks (never the whole file in memory)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def copy_blob_from_file(path: Path, sha256: str) -> bool:
    """Store the file at ``path`` (whose sha256 the caller computed) by a streaming copy into
    the media storage; returns whether this call created the blob file."""
    with path.open("rb") as handle:
        return media.save_once(blob_name(sha256), File(handle))


def work_root() -> Path:
    """Where uploads wait and an import unpacks archives: the upload area, so the sweep removes
    whatever a crashed import left behind."""
    root = _staging_root()
    root.mkdir(parents=True, exist_ok=True)
    return root


def extract_root() -> Path:
    """Where an import inflates the members of a .zip study: ``IMAGING_UPLOAD_TEMP_DIR`` when set
    (a fast local disk), else the upload area."""
    configured = getattr(settings, "IMAGING_UPLOAD_TEMP_DIR", None)
    if configured:
        return Path(configured)
    return work_root()


def volume_cache_folder() -> Path:
    """The CBCT volume files: a cache of each node (under ATLASCHART_VAR_DIR, not MEDIA_ROOT),
    shared by that node's workers and rebuilt from the blobs on demand by whichever node needs a
    volume, so nothing in it needs to be shared or backed up."""
    return Path(settings.VAR_DIR) / "imaging-volumes"


def volume_cache_paths(series_id: int, key: str) -> tuple[Path, Path]:
    """The memory-mapped voxel file (.npy) of a CBCT series and its geometry (.json), shared by
    every worker on the node. ``key`` names the series' slices
    (a hash of their blobs), so a series that gained slices gets a new file and a reader never
    sees an old volume under a new name."""
    stem = f"{series_id}-{key[:16]}"
    folder = volume_cache_folder()
    return folder / f"{stem}.npy", folder / f"{stem}.json"


def export_name(input_sha256: str) -> str:
    """The de-identified zip of an export job in the media storage (named by the job's input
    hash), so the web node that serves the download need not be the worker that packed it."""
    return f"imaging/exports/{input_sha256}.zip"


def read_blob(sha256: str) -> bytes:
    return media.read(blob_name(sha256))


def remove_blob_file(sha256: str) -> None:
    media.delete(blob_name(sha256))
    _blob_cache_path(sha256).unlink(missing_ok=True)


# --- temporary upload area -------------------------------------------------------------------


def stage(items: list[tuple[str, bytes]], *, user_id: int, patient_id: int) -> str:
    """Keep an upload until it is confirmed; returns a signed token naming it."""
    key = secrets.token_hex(16)
    folder = _staging_root() / key
    folder.mkdir(parents=True)
    names = []
    for i, (name, data) in enumerate(items):
        (folder / f"{i}.bin").write_bytes(data)
        names.append(name)
    (folder / "manifest.json").write_text(json.dumps(names), encoding="utf-8")
    return signing.dumps({"k": key, "u": user_id, "p": patient_id}, salt=TOKEN_SALT)


def _staging_root() -> Path:
    return _root() / "tmp"


def _key(token: str, *, user_id: int, patient_id: int) -> str | None:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_S)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id or data.get("p") != patient_id:
        return None
    key = data.get("k")
    return key if isinstance(key, str) and key.isalnum() else None


def load_staged(token: str, *, user_id: int, patient_id: int) -> list[tuple[str, bytes]] | None:
    """The staged files, or None for a bad, foreign or expired token (or one already used)."""
    key = _key(token, user_id=user_id, patient_id=patient_id)
    if key is None:
        return None
    folder = _staging_root() / key
    try:
        names = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return [(n, (folder / f"{i}.bin").read_bytes()) for i, n in enumerate(names)]
    except (OSError, ValueError):
        return None


def discard_staged(token: str, *, user_id: int, patient_id: int) -> bool:
    """Remove a staged upload; ``False`` when the token is bad or the upload is already gone."""
    key = _key(token, user_id=user_id, patient_id=patient_id)
    if key is None:
        return False
    folder = _staging_root() / key
    existed = folder.exists()
    shutil.rmtree(folder, ignore_errors=True)
    return existed


def sweep_staged(max_age_s: int = TOKEN_MAX_AGE_S, *, now: float | None = None) -> int:
    """Remove staged uploads older than a token can live; returns how many were removed.

    Staged files hold patient names and IDs from DICOM headers, so an upload nobody confirmed
    must not outlive its token. Run periodically (Celery beat task
    ``atlaschart.imaging.sweep_staged_uploads``, or ``atlaschart imaging sweep-uploads`` from a
    timer) and on every staging and confirmation. Age is the folder's modification time, set
    when the upload was staged; a folder left half-written by a crash ages out the same way.
    """
    root = _staging_root()
    if not root.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age_s
    removed = 0
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime >= cutoff:
                continue
        except OSError:
            continue  # removed meanwhile by another sweep
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink(missing_ok=True)
        removed += 1
    return removed
