"""Safe reading of a .zip study: declared sizes checked first, members inflated in chunks
against per-member, per-archive and per-request limits."""

from __future__ import annotations

import posixpath
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydicom import Dataset

from atlaschart.imaging.dicom.errors import (
    DicomError,
    NotDicomError,
    ZipBombError,
    ZipInvalidError,
    ZipMemberTooLargeError,
    ZipNestedError,
    ZipTooLargeError,
    ZipTooManyMembersError,
    ZipTraversalError,
)
from atlaschart.imaging.dicom.reading import DICM_OFFSET, _label, read


@dataclass(frozen=True)
class ZipLimits:
    """Caps that make a zip bomb fail early, before and while members are inflated.

    ``max_ratio`` applies to a member over ``ratio_floor`` bytes and to the archive as a whole
    (so a bomb cannot hide in many small members); tiny members (headers, text) compress far
    better than images legitimately. ``spool_bytes``: a member larger than this is inflated to an
    unnamed temporary file in ``temp_dir`` rather than held in memory.
    """

    max_total_bytes: int = 1536 * 1024**2
    max_member_bytes: int = 64 * 1024**2
    max_ratio: float = 200.0
    ratio_floor: int = 64 * 1024
    max_members: int = 5000
    spool_bytes: int = 1024 * 1024
    temp_dir: str | None = None


class ZipBudget:
    """Uncompressed bytes still allowed for one request, shared by every archive (and plain file)
    in it, so ten zips cannot each take the whole budget."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.left = total

    def spend(self, nbytes: int) -> bool:
        """Take ``nbytes``; False (and nothing taken) when they do not fit."""
        if nbytes > self.left:
            return False
        self.left -= nbytes
        return True


@dataclass(frozen=True)
class ZipContents:
    """DICOM files found in an archive (member name, dataset) and the members skipped, with why."""

    datasets: tuple[tuple[str, Dataset], ...]
    skipped: tuple[tuple[str, str], ...]


def _unsafe_name(name: str) -> bool:
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    parts = posixpath.normpath(normal).split("/")
    return ".." in parts or "\x00" in name


ZIP_SIGNATURE = b"PK\x03\x04"
CHUNK_BYTES = 1024 * 1024


def _check_declared(members: list[zipfile.ZipInfo], lim: ZipLimits, label: str) -> None:
    """Refuse from the central directory alone, before one byte is inflated."""
    if len(members) > lim.max_members:
        raise ZipTooManyMembersError(
            f"{len(members)} members exceeds {lim.max_members}", source=label
        )
    declared = compressed = 0
    for m in members:
        if _unsafe_name(m.filename):
            raise ZipTraversalError(f"unsafe member path {m.filename!r}", source=label)
        if m.filename.lower().endswith(".zip"):
            raise ZipNestedError(f"member {m.filename!r} is itself a zip", source=label)
        if m.file_size > lim.max_member_bytes:
            raise ZipMemberTooLargeError(
                f"member {m.filename!r} declares {m.file_size} bytes", source=label
            )
        if m.file_size > lim.ratio_floor and m.file_size > lim.max_ratio * max(m.compress_size, 1):
            raise ZipBombError(
                f"member {m.filename!r} expands {m.file_size // max(m.compress_size, 1)}×",
                source=label,
            )
        declared += m.file_size
        compressed += m.compress_size
    if declared > lim.ratio_floor and declared > lim.max_ratio * max(compressed, 1):
        raise ZipBombError(f"archive expands {declared // max(compressed, 1)}×", source=label)
    if declared > lim.max_total_bytes:
        raise ZipTooLargeError(f"archive expands to {declared} bytes", source=label)


def read_zip(
    source: str | Path | IO[bytes],
    limits: ZipLimits | None = None,
    budget: ZipBudget | None = None,
) -> ZipContents:
    """Read every DICOM member of a .zip study, inflating one member at a time in chunks.

    Refused as a whole: ZipTraversalError (a member name absolute or climbing out with ``..``),
    ZipNestedError (a zip inside), ZipTooManyMembersError, ZipMemberTooLargeError,
    ZipTooLargeError (past ``limits.max_total_bytes`` or the request's ``budget``) and
    ZipBombError (a ratio past ``limits.max_ratio``), from the declared sizes first and again
    from the bytes actually inflated, since declared sizes can lie. Non-DICOM members (text,
    images; DICOMDIR is read but skipped) are listed in ``skipped``.
    """
    lim = limits or ZipLimits()
    budget = budget or ZipBudget(lim.max_total_bytes)
    label = _label(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ZipInvalidError(f"not a readable zip archive: {exc}", source=label) from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        _check_declared(members, lim, label)
        datasets: list[tuple[str, Dataset]] = []
        skipped: list[tuple[str, str]] = []
        for m in members:
            with _inflate(archive, m, lim, budget, label) as fh:
                name = m.filename
                if fh.read(len(ZIP_SIGNATURE)) == ZIP_SIGNATURE:
                    raise ZipNestedError(f"member {name!r} is itself a zip", source=label)
                fh.seek(0)
                try:
                    ds = read(fh)
                except NotDicomError:
                    skipped.append((name, "not-dicom"))
                    continue
                except DicomError as exc:
                    raise type(exc)(exc.message, source=f"{label}:{name}") from exc
            if "DirectoryRecordSequence" in ds:
                skipped.append((name, "dicomdir"))
                continue
            datasets.append((name, ds))
    return ZipContents(tuple(datasets), tuple(skipped))


@dataclass(frozen=True)
class ZipExtracted:
    """Members of an archive inflated to files on disk: (member name, path) of each candidate
    DICOM file (it starts with the Part 10 preamble and 'DICM'), and the members skipped, with why.
    Nothing is parsed here: the caller reads each file once, slice by slice."""

    files: tuple[tuple[str, Path], ...]
    skipped: tuple[tuple[str, str], ...]


def extract_zip(
    source: str | Path | IO[bytes],
    into: Path,
    limits: ZipLimits | None = None,
    budget: ZipBudget | None = None,
) -> ZipExtracted:
    """Inflate every member of a .zip study to a file in ``into`` (which must exist), one member
    at a time in chunks, under the same limits as :func:`read_zip` (declared sizes first, then the
    bytes actually inflated). Memory stays at one chunk whatever the archive's size. On a refusal
    the files written so far are removed again."""
    lim = limits or ZipLimits()
    budget = budget or ZipBudget(lim.max_total_bytes)
    label = _label(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ZipInvalidError(f"not a readable zip archive: {exc}", source=label) from exc
    written: list[Path] = []
    try:
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            _check_declared(members, lim, label)
            files: list[tuple[str, Path]] = []
            skipped: list[tuple[str, str]] = []
            for n, m in enumerate(members):
                target = into / f"m{n:05d}.dcm"
                written.append(target)
                with target.open("wb") as out:
                    _inflate_into(archive, m, lim, budget, label, out)
                with target.open("rb") as fh:
                    head = fh.read(DICM_OFFSET + 4)
                if head[: len(ZIP_SIGNATURE)] == ZIP_SIGNATURE:
                    raise ZipNestedError(f"member {m.filename!r} is itself a zip", source=label)
                if len(head) < DICM_OFFSET + 4 or head[DICM_OFFSET:] != b"DICM":
                    target.unlink()
                    skipped.append((m.filename, "not-dicom"))
                    continue
                files.append((m.filename, target))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return ZipExtracted(tuple(files), tuple(skipped))


def _inflate(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, lim: ZipLimits, budget: ZipBudget, label: str
) -> IO[bytes]:
    """The member inflated chunk by chunk into a spooled temporary file (memory up to
    ``lim.spool_bytes``, then an unnamed file that vanishes when closed, even on a crash).
    Every chunk is counted against the member's declared size (so the checks made on declared
    sizes hold for the real bytes: a lying header stops within one chunk of the lie), the member
    cap and the request's budget."""
    out = tempfile.SpooledTemporaryFile(max_size=lim.spool_bytes, dir=lim.temp_dir)  # noqa: SIM115
    try:
        _inflate_into(archive, member, lim, budget, label, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _inflate_into(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    lim: ZipLimits,
    budget: ZipBudget,
    label: str,
    out: IO[bytes],
) -> None:
    """Copy one member into ``out`` in chunks, each counted against the member's declared size,
    the member cap and the request's budget."""
    size = 0
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(CHUNK_BYTES):
                size += len(chunk)
                if size > member.file_size:
                    raise ZipBombError(
                        f"member {member.filename!r} inflates past its declared size", source=label
                    )
                if size > lim.max_member_bytes:
                    raise ZipMemberTooLargeError(
                        f"member {member.filename!r} is too large", source=label
                    )
                if not budget.spend(len(chunk)):
                    raise ZipTooLargeError("the upload expands past its budget", source=label)
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ZipInvalidError(
            f"member {member.filename!r} is corrupt: {exc}", source=label
        ) from exc
    except NotImplementedError as exc:
        raise ZipInvalidError(f"member {member.filename!r}: {exc}", source=label) from exc
