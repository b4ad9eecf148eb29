"""``atlaschart backup`` and ``atlaschart restore``: one archive with the database and the media.

An archive is a gzip'd tar holding

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site runs) or
  ``database.pgdump`` (``pg_dump --format=custom``, itself one consistent snapshot),
- ``media/...``: every media file (radiographs, posture photos; not the scratch areas and caches
  of ``MEDIA_NOT_BACKED_UP``): those under ``MEDIA_ROOT``, or,
  with media on object storage (``MEDIA_STORAGE_URL``), every object under the bucket's prefix,
  read through the storage API (lib/media.py),
- ``manifest.json`` last: sha256 and size of every part, the applied migrations, the engine and the
  AtlasChart version.

With a key (``--key-file`` or ``BACKUP_KEY_FILE``; ``atlaschart backup --new-key FILE`` makes one)
the whole archive is encrypted at rest in Fernet frames of 1 MiB: each frame carries its index and
a last-frame flag inside the authenticated token, so a reordered, altered or truncated archive is
refused rather than half read.

``restore`` reads and checks the whole archive into a staging folder before it touches anything;
it refuses a database or media folder that already holds data unless ``--force``, an archive from
another engine, and one made by a newer AtlasChart (migrations this code does not know). Then the
database is replaced in one step (SQLite backup API; ``pg_restore --single-transaction``) and the
media folder is swapped in by a rename. docs/backup.md has the schedule and the restore drill.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from atlaschart.commands._common import UsageError
from atlaschart.commands._django import setup_django

FORMAT_VERSION = 1
MAGIC = b"ATLASCHART-BACKUP-ENC1\n"
FRAME_PLAINTEXT_BYTES = 1024 * 1024
SQLITE_PART = "database.sqlite3"
POSTGRES_PART = "database.pgdump"
MANIFEST = "manifest.json"
# Rows that `migrate` itself writes: a database holding only these counts as empty.
TABLES_FILLED_BY_MIGRATE = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "django_session",
}


class BackupError(UsageError):
    """The archive or the target refuses; the message says why, in one line."""


# --- encryption at rest: Fernet frames ----------------------------------------------------------


def _fernet(key: bytes) -> Any:
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.strip())
    except (ValueError, TypeError) as exc:
        raise BackupError(
            "the key file does not hold a Fernet key (make one with --new-key)"
        ) from exc


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream that stores what it is given as authenticated, numbered frames."""

    def __init__(self, out: IO[bytes], key: bytes) -> None:
        self._out = out
        self._fernet = _fernet(key)
        self._buffer = bytearray()
        self._index = 0
        out.write(MAGIC)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer.extend(data)
        while len(self._buffer) > FRAME_PLAINTEXT_BYTES:
            self._frame(bytes(self._buffer[:FRAME_PLAINTEXT_BYTES]), last=False)
            del self._buffer[:FRAME_PLAINTEXT_BYTES]
        return len(data)

    def _frame(self, data: bytes, last: bool) -> None:
        token = self._fernet.encrypt(struct.pack(">QB", self._index, int(last)) + data)
        self._out.write(struct.pack(">I", len(token)) + token)
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._frame(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class _DecryptingReader(io.RawIOBase):
    """Reads back what ``_EncryptingWriter`` wrote; any damage or a missing end is an error."""

    def __init__(self, source: IO[bytes], key: bytes) -> None:
        self._source = source
        self._fernet = _fernet(key)
        self._pending = b""
        self._index = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_frame(self) -> None:
        from cryptography.fernet import InvalidToken

        header = self._source.read(4)
        if len(header) < 4:
            raise BackupError("the archive is truncated (its last part is missing)")
        (length,) = struct.unpack(">I", header)
        if length > 2 * FRAME_PLAINTEXT_BYTES:
            raise BackupError("the archive is damaged (a frame has an impossible length)")
        token = self._source.read(length)
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise BackupError("the archive is damaged or was encrypted with another key") from exc
        index, last = struct.unpack(">QB", plain[:9])
        if index != self._index:
            raise BackupError("the archive is damaged (its parts are out of order)")
        self._index += 1
        self._pending = plain[9:]
        if last:
            if self._source.read(1):
                raise BackupError("the archive is damaged (data after its end)")
            self._done = True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            self._next_frame()
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def new_key(path: Path) -> None:
    from cryptography.fernet import Fernet

    if path.exists():
        raise BackupError(f"{path} exists; a key is never overwritten")
    path.write_bytes(Fernet.generate_key() + b"\n")
    path.chmod(0o600)


def _read_key(key_file: str | None) -> bytes | None:
    name = key_file or os.environ.get("BACKUP_KEY_FILE", "")
    if not name:
        return None
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read the key file {name}: {exc.strerror or exc}") from exc


# --- the database ----------------------------------------------------------------------------


def _pg_env_and_name(settings_dict: dict[str, Any]) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env, str(settings_dict["NAME"])


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH; install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) of the server's version or newer"
        )
    return path


def _dump_database(folder: Path) -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        target = folder / SQLITE_PART
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return SQLITE_PART
    if connection.vendor == "postgresql":
        env, name = _pg_env_and_name(connection.settings_dict)
        target = folder / POSTGRES_PART
        result = subprocess.run(
            [_require_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", name],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError("pg_dump failed: " + result.stderr.strip().splitlines()[-1])
        return POSTGRES_PART
    raise BackupError(f"backing up a {connection.vendor} database is not supported")


def _applied_migrations() -> list[list[str]]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _tables_with_rows() -> list[str]:
    from django.db import connection

    filled = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in TABLES_FILLED_BY_MIGRATE:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                filled.append(table)
    return filled


def _restore_database(part: Path, engine_part: str) -> None:
    from django.db import connection, connections

    if engine_part == SQLITE_PART:
        if connection.vendor != "sqlite":
            raise BackupError("this archive holds a SQLite database; DATABASE_URL is PostgreSQL")
        connection.ensure_connection()
        source = sqlite3.connect(part)
        try:
            # One step: the target is replaced page by page inside one write transaction.
            source.backup(connection.connection)
        finally:
            source.close()
        return
    if connection.vendor != "postgresql":
        raise BackupError("this archive holds a PostgreSQL dump; DATABASE_URL is SQLite")
    env, name = _pg_env_and_name(connection.settings_dict)
    connections.close_all()
    result = subprocess.run(
        [
            _require_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={name}",
            str(part),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["(no message)"]
        raise BackupError("pg_restore failed, nothing was changed: " + lines[-1])


# --- writing and reading archives ------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        self.digest.update(data)
        self.size += len(data)
        buffer[: len(data)] = data
        return len(data)


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    with path.open("rb") as handle:
        info = tar.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


# Scratch areas and caches, which expire or are rebuilt on their own: staged imaging uploads (an
# hour; unconfirmed patient data that must not outlive its token), the CBCT viewer's volume
# files (rebuilt from the blobs), packed de-identified exports (packed again on request).
MEDIA_NOT_BACKED_UP = ("imaging/tmp/", "imaging/volumes/", "imaging/exports/")


def _backed_up(name: str) -> bool:
    """Whether a media file (its storage name) belongs in an archive."""
    file_name = name.rsplit("/", 1)[-1]
    if file_name.startswith(".") and file_name.endswith(".part"):
        return False  # still being written (lib/media.LocalMediaStorage)
    return not name.startswith(MEDIA_NOT_BACKED_UP)


def _media_files(media_root: Path) -> Iterator[tuple[Path, str]]:
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            name = path.relative_to(media_root).as_posix()
            if _backed_up(name):
                yield path, "media/" + name


def _add_stream(tar: tarfile.TarFile, handle: IO[bytes], size: int, name: str) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    reader = _HashingReader(handle)
    tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _add_media(tar: tarfile.TarFile, media_root: Path) -> dict[str, dict[str, Any]]:
    """Every media file into the archive: from the disk, or streamed out of object storage."""
    from atlaschart.lib import media

    parts = {}
    if not media.is_object_storage():
        for path, name in _media_files(media_root):
            parts[name] = _add_file(tar, path, name)
        return parts
    for stored in filter(_backed_up, media.walk()):
        with media.open(stored) as handle:
            parts["media/" + stored] = _add_stream(
                tar, handle, media.size(stored), "media/" + stored
            )
    return parts


def create_backup(out_dir: Path, key: bytes | None) -> Path:
    """Write one archive into ``out_dir``; returns its path."""
    from django.conf import settings

    from atlaschart import __version__

    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    final = out_dir / f"atlaschart-backup-{stamp}.tar.gz{'.enc' if key else ''}"
    partial = final.with_name(final.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="atlaschart-backup-") as scratch:
        engine_part = _dump_database(Path(scratch))
        migrations = _applied_migrations()
        with partial.open("wb") as raw:
            sink: IO[bytes] | _EncryptingWriter = _EncryptingWriter(raw, key) if key else raw
            with tarfile.open(fileobj=sink, mode="w|gz") as tar:
                parts = {engine_part: _add_file(tar, Path(scratch) / engine_part, engine_part)}
                parts.update(_add_media(tar, Path(settings.MEDIA_ROOT)))
                manifest = {
                    "format": FORMAT_VERSION,
                    "app_version": __version__,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(),
                    "engine": engine_part,
                    "migrations": migrations,
                    "parts": parts,
                }
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(data))
            if key:
                sink.close()
    partial.chmod(0o600)
    partial.replace(final)  # a half-written archive never carries the final name
    return final


@dataclass(frozen=True)
class CheckedArchive:
    manifest: dict[str, Any]
    staged: Path | None  # the folder the parts were extracted into, when asked for


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive holds an unsafe path: {name!r}")
    top = path.parts[0]
    if name not in (SQLITE_PART, POSTGRES_PART, MANIFEST) and top != "media":
        raise BackupError(f"the archive holds an unexpected file: {name!r}")
    return path.as_posix()


def check_archive(
    archive: Path, key: bytes | None, stage_into: Path | None = None
) -> CheckedArchive:
    """Read the whole archive and compare every part with the manifest; optionally extract it."""
    try:
        raw = archive.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {archive}: {exc.strerror or exc}") from exc
    with raw:
        seen, manifest = _read_parts(_plain_source(raw, key), stage_into)
    return CheckedArchive(manifest=_checked_manifest(manifest, seen), staged=stage_into)


def _plain_source(raw: IO[bytes], key: bytes | None) -> IO[bytes] | _DecryptingReader:
    """The archive's gzip'd tar stream: the file itself, or decrypted when it starts with MAGIC."""
    if raw.read(len(MAGIC)) != MAGIC:
        raw.seek(0)
        return raw
    if key is None:
        raise BackupError("the archive is encrypted: give --key-file or set BACKUP_KEY_FILE")
    return _DecryptingReader(raw, key)


def _read_parts(
    source: IO[bytes] | _DecryptingReader, stage_into: Path | None
) -> tuple[dict[str, dict[str, Any]], Any]:
    """Every part's sha256 and size as read, and the manifest as parsed (None when absent)."""
    seen: dict[str, dict[str, Any]] = {}
    manifest: Any = None
    try:
        with tarfile.open(fileobj=source, mode="r|gz") as tar:
            for member in tar:
                name = _checked_member(member, seen, manifest_read=manifest is not None)
                handle = tar.extractfile(member)
                assert handle is not None
                if name == MANIFEST:
                    manifest = json.loads(handle.read(16 * 1024 * 1024))
                    continue
                target = None if stage_into is None else stage_into / name
                seen[name] = _copy_part(handle, target)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"the archive is damaged or truncated ({exc})") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"the archive's manifest cannot be read ({exc})") from exc
    return seen, manifest


def _checked_member(
    member: tarfile.TarInfo, seen: dict[str, dict[str, Any]], manifest_read: bool
) -> str:
    """The member's name, once it is known to be a safe, expected, plain file not seen before."""
    name = _safe_member_name(member.name)
    if not member.isfile():
        raise BackupError(f"the archive holds something not a file: {name!r}")
    if name in seen or (name == MANIFEST and manifest_read):
        raise BackupError(f"the archive holds {name!r} twice")
    return name


def _copy_part(handle: IO[bytes], target: Path | None) -> dict[str, Any]:
    """Read one part to its end for its sha256 and size, writing it to ``target`` when given."""
    digest, size = hashlib.sha256(), 0
    out = None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = target.open("wb")
    try:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return {"sha256": digest.hexdigest(), "size": size}


def _checked_manifest(manifest: Any, seen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The manifest, once every part it lists was read as listed and nothing else was."""
    if not isinstance(manifest, dict):
        raise BackupError("the archive has no manifest (truncated, or not an AtlasChart backup)")
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    expected = manifest.get("parts") or {}
    for name, facts in expected.items():
        if seen.get(name) != facts:
            raise BackupError(f"{name} in the archive does not match its manifest entry")
    extra = set(seen) - set(expected)
    if extra:
        raise BackupError(f"the archive holds files its manifest does not list: {sorted(extra)[0]}")
    if manifest.get("engine") not in expected:
        raise BackupError("the archive holds no database")
    return manifest


def restore_backup(archive: Path, key: bytes | None, force: bool) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from atlaschart.lib import media

    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".atlaschart-restore-", dir=media_root.parent))
    try:
        checked = check_archive(archive, key, stage_into=staging)
        manifest = checked.manifest
        known = set(MigrationLoader(connection, ignore_no_migrations=True).disk_migrations)
        unknown = [m for m in manifest["migrations"] if tuple(m) not in known]
        if unknown:
            raise BackupError(
                "the archive was made by a newer AtlasChart (unknown migration "
                f"{unknown[0][0]}.{unknown[0][1]}); install that version first"
            )
        if not force:
            filled = _tables_with_rows()
            if filled:
                raise BackupError(
                    f"the database already holds data (table {filled[0]}); restore into an "
                    "empty database, or give --force to replace it"
                )
            if media.is_object_storage() and next(media.walk(), None) is not None:
                raise BackupError(
                    "the media bucket (MEDIA_STORAGE_URL) is not empty; give --force to "
                    "replace its files"
                )
            if not media.is_object_storage() and media_root.is_dir() and any(media_root.iterdir()):
                raise BackupError(
                    f"the media folder {media_root} is not empty; give --force to replace it"
                )
        _restore_database(staging / manifest["engine"], manifest["engine"])
        staged_media = staging / "media"
        staged_media.mkdir(exist_ok=True)
        if media.is_object_storage():
            _upload_media(staged_media)
            return manifest
        old = None
        if media_root.exists():
            old = media_root.with_name(f".{media_root.name}-replaced-{os.getpid()}")
            media_root.replace(old)
        staged_media.replace(media_root)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _upload_media(staged_media: Path) -> None:
    """Put the archive's media files into object storage under their own names, then remove the
    objects the archive does not hold (the bucket then equals the archive, as the swapped folder
    does on disk). Not atomic as a rename is: a failure part way leaves some files replaced, and
    running the restore again completes it."""
    from atlaschart.lib import media

    before = set(media.walk())
    restored = set()
    for path in sorted(staged_media.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(staged_media).as_posix()
        media.delete(name)  # a name taken would otherwise get another one
        with path.open("rb") as handle:
            if media.save(name, handle) != name:
                raise BackupError(f"object storage stored {name} under another name")
        restored.add(name)
    for name in sorted(before - restored):
        media.delete(name)


# --- the commands ------------------------------------------------------------------------------


def run_backup(args: argparse.Namespace) -> int:
    if args.new_key:
        new_key(Path(args.new_key))
        print(f"new key written to {args.new_key} (mode 600); keep a copy away from the backups")
        return 0
    setup_django()
    key = _read_key(args.key_file)
    if args.verify:
        manifest = check_archive(Path(args.verify), key).manifest
        print(
            f"ok: {args.verify} is whole: {len(manifest['parts'])} part(s), AtlasChart "
            f"{manifest['app_version']}, made {manifest['created_at']}"
        )
        return 0
    from django.conf import settings

    out_dir = Path(args.to) if args.to else Path(settings.VAR_DIR) / "backups"
    path = create_backup(out_dir, key)
    manifest = check_archive(path, key).manifest
    media = sum(1 for name in manifest["parts"] if name.startswith("media/"))
    print(f"backup written: {path}")
    print(
        f"  database ({manifest['engine']}), {media} media file(s), "
        f"{'encrypted' if key else 'NOT encrypted (no BACKUP_KEY_FILE)'}"
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    setup_django()
    key = _read_key(args.key_file)
    manifest = restore_backup(Path(args.archive), key, force=args.force)
    media = sum(1 for name in manifest["parts"] if name.startswith("media/"))
    print(
        f"restored {args.archive}: database and {media} media file(s) from "
        f"{manifest['created_at']} (AtlasChart {manifest['app_version']})"
    )
    print("next: `atlaschart migrate` (if this code is newer), then `atlaschart audit verify`")
    return 0


def register(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="write one archive with the database and the media files (or check one)",
        description="Back up the database (consistent snapshot) and the media files (MEDIA_ROOT, "
        "or the object-storage bucket of MEDIA_STORAGE_URL) into one archive "
        "with a sha256 manifest; encrypted when BACKUP_KEY_FILE or --key-file is given "
        "(docs/backup.md).",
    )
    backup.add_argument("--to", metavar="DIR", help="folder for the archive (default var/backups)")
    backup.add_argument("--key-file", metavar="FILE", help="Fernet key (default $BACKUP_KEY_FILE)")
    backup.add_argument(
        "--verify", metavar="ARCHIVE", help="check an archive against its manifest; restore nothing"
    )
    backup.add_argument("--new-key", metavar="FILE", help="write a new encryption key and stop")
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser(
        "restore",
        help="restore an archive into an empty database and media folder",
        description="Check the whole archive, then replace the database and MEDIA_ROOT with it. "
        "Refuses a database or media folder holding data unless --force.",
    )
    restore.add_argument("archive", metavar="ARCHIVE")
    restore.add_argument("--key-file", metavar="FILE", help="Fernet key (default $BACKUP_KEY_FILE)")
    restore.add_argument(
        "--force", action="store_true", help="replace a database and media folder holding data"
    )
    restore.set_defaults(handler=run_restore)
