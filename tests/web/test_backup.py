"""Backups that restore: back up a clinic with a patient and a radiograph file, wipe everything,
restore, and find the patient, the file and a whole access-log chain again. Damaged, truncated,
wrongly keyed and foreign archives are refused before anything is touched.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from atlaschart.audit.services import log_access
from atlaschart.commands import backup as backup_cmd
from atlaschart.commands.backup import BackupError, check_archive, create_backup, restore_backup
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient
from atlaschart.patients.services import update_patient

pytestmark = pytest.mark.django_db(transaction=True)


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every table, for comparing a database before and after."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == "django_session":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def media_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def clinic_with_media(personas, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    image = Path(settings.MEDIA_ROOT) / "imaging" / "blobs" / "ab" / "radiograph.dcm"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"DICM" + bytes(range(256)) * 40)
    (Path(settings.MEDIA_ROOT) / "posture" / "사진.jpg").parent.mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "posture" / "사진.jpg").write_bytes(b"\xff\xd8 photo")
    log_access(Actor.system(personas.clinician, via="cli"), "view", patient=personas.patient)
    return personas


def wipe(media_root: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def audit_chain_whole() -> bool | None:
    if importlib.util.find_spec("atlaschart.audit.verify") is None:
        return None
    from atlaschart.audit.verify import verify_chain

    return verify_chain().ok


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_backup_wipe_restore_brings_everything_back(
    clinic_with_media, settings, tmp_path, encrypted
):
    key = None
    if encrypted:
        backup_cmd.new_key(tmp_path / "backup.key")
        key = (tmp_path / "backup.key").read_bytes()
    media_root = Path(settings.MEDIA_ROOT)
    before_rows, before_media = table_rows(), media_hashes(media_root)
    archive = create_backup(tmp_path / "backups", key)
    if encrypted:
        assert b"DICM" not in archive.read_bytes() and archive.name.endswith(".enc")
    manifest = check_archive(archive, key).manifest
    assert set(manifest["parts"]) >= {"media/imaging/blobs/ab/radiograph.dcm", manifest["engine"]}
    assert ["accounts", "0001_initial"] in manifest["migrations"]

    wipe(media_root)
    assert not Patient.objects.exists()
    restore_backup(archive, key, force=False)

    assert Patient.objects.get(pk=clinic_with_media.patient.pk).name == "김민준"
    assert media_hashes(media_root) == before_media
    assert table_rows() == before_rows
    assert audit_chain_whole() in (True, None)


def test_restore_refuses_a_database_with_data_unless_forced(clinic_with_media, tmp_path, settings):
    archive = create_backup(tmp_path / "backups", None)
    with pytest.raises(BackupError, match="already holds data"):
        restore_backup(archive, None, force=False)
    # The chart changes after the backup: the forced restore must bring the old name back.
    update_patient(
        Actor.system(clinic_with_media.desk, via="test"),
        clinic_with_media.patient,
        {"name": "바뀐 이름"},
    )
    restore_backup(archive, None, force=True)
    assert Patient.objects.get(pk=clinic_with_media.patient.pk).name == "김민준"


def test_damaged_truncated_and_wrongly_keyed_archives_are_refused(clinic_with_media, tmp_path):
    backup_cmd.new_key(tmp_path / "k1")
    backup_cmd.new_key(tmp_path / "k2")
    k1, k2 = (tmp_path / "k1").read_bytes(), (tmp_path / "k2").read_bytes()
    plain = create_backup(tmp_path / "plain", None)
    sealed = create_backup(tmp_path / "sealed", k1)
    before = table_rows()

    def damaged(source: Path, name: str, change) -> Path:
        data = bytearray(source.read_bytes())
        change(data)
        target = tmp_path / name
        target.write_bytes(bytes(data))
        return target

    def flip_middle(data: bytearray) -> None:
        data[len(data) // 2] ^= 0xFF

    def cut(data: bytearray) -> None:
        del data[len(data) * 2 // 3 :]

    cases = [
        (damaged(plain, "flipped.tar.gz", flip_middle), None),
        (damaged(plain, "cut.tar.gz", cut), None),
        (damaged(sealed, "flipped.enc", flip_middle), k1),
        (damaged(sealed, "cut.enc", cut), k1),
        (sealed, k2),
        (sealed, None),
    ]
    for archive, key in cases:
        with pytest.raises(BackupError):
            check_archive(archive, key)
        with pytest.raises(BackupError):
            restore_backup(archive, key, force=True)
    assert table_rows() == before


def test_an_archive_with_a_path_outside_is_refused(tmp_path, settings) -> None:
    import io
    import tarfile

    settings.MEDIA_ROOT = str(tmp_path / "media")
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(BackupError, match="unsafe path"):
        restore_backup(evil, None, force=True)
    assert not (tmp_path / "outside.txt").exists()


def test_the_cli_backs_up_verifies_and_refuses(clinic_with_media, tmp_path, capsys) -> None:
    from atlaschart.cli import main

    assert main(["backup", "--to", str(tmp_path / "out")]) == 0
    archive = next((tmp_path / "out").glob("atlaschart-backup-*.tar.gz"))
    assert main(["backup", "--verify", str(archive)]) == 0
    assert "ok:" in capsys.readouterr().out
    assert main(["restore", str(archive)]) == 2
    assert "already holds data" in capsys.readouterr().err


def test_a_part_that_does_not_match_the_manifest_is_refused(clinic_with_media, tmp_path) -> None:
    """A well-formed archive with one file swapped (gzip and tar intact): sha256 catches it."""
    import io
    import tarfile

    archive = create_backup(tmp_path / "backups", None)
    swapped = tmp_path / "swapped.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(swapped, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("radiograph.dcm"):
                data = data[:-1] + b"X"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="does not match its manifest"):
        check_archive(swapped, None)
