"""``atlaschart fhir export``: the archive and the Bundle-only output (docs/cli.md), exit codes and
one-line messages, the export logged as the clinic admin the command acts as."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from tests.web import every_kind

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["fhir", "export", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def record(personas: Any, monkeypatch: Any, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return every_kind.build(personas, monkeypatch)


def test_writes_the_archive(personas: Any, record: Any, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "record.zip"
    code, stdout, err = run(capsys, "--clinic", "seoul", "--chart", "000001", "--out", str(out))
    assert (code, err) == (0, "")
    assert stdout.startswith(f"wrote {out} (") and stdout.count("\n") == 1
    archive = zipfile.ZipFile(out)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["clinic"] == "seoul" and manifest["chart_number"] == "000001"
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    assert any(f["path"].startswith("files/dicom/") for f in manifest["files"])
    assert any(f["path"].startswith("files/posture/") for f in manifest["files"])
    Bundle.model_validate(json.loads(archive.read("bundle.json")))
    row = AccessLogEntry.objects.get(action=Action.EXPORT, detail__startswith="FHIR export")
    assert row.patient_id == personas.patient.pk and row.user_id == personas.admin.pk
    assert row.detail == "FHIR export (cli); reason: requested at the command line"
    # No temporary file left beside it.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fhir-export-")] == []


def test_bundle_only_on_standard_output(personas: Any, capsys: Any) -> None:
    code, stdout, err = run(
        capsys,
        "--clinic",
        "seoul",
        "--chart",
        "000001",
        "--out",
        "-",
        "--bundle-only",
        "--reason",
        "moving to another clinic",
    )
    assert (code, err) == (0, "")
    bundle = Bundle.model_validate(json.loads(stdout))
    assert bundle.type == "collection"
    assert AccessLogEntry.objects.get(
        action=Action.EXPORT, detail__startswith="FHIR export"
    ).detail == ("FHIR export (cli); reason: moving to another clinic")


def test_bundle_only_to_a_file(personas: Any, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "bundle.json"
    code, _stdout, _err = run(
        capsys, "--clinic", "seoul", "--chart", "000001", "--out", str(out), "--bundle-only"
    )
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["resourceType"] == "Bundle"


@pytest.mark.parametrize(
    ("clinic", "chart_no", "message"),
    [
        pytest.param("nowhere", "000001", "no clinic with the short name 'nowhere'", id="clinic"),
        pytest.param("seoul", "999999", "no patient with chart number '999999'", id="chart"),
    ],
)
def test_unknown_clinic_or_chart_exits_2_with_one_line(
    personas: Any, tmp_path: Path, capsys: Any, clinic: str, chart_no: str, message: str
) -> None:
    out = tmp_path / "record.zip"
    code, stdout, err = run(capsys, "--clinic", clinic, "--chart", chart_no, "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1 and message in err and err.startswith("atlaschart fhir: ")
    assert not out.exists()
    assert not AccessLogEntry.objects.filter(
        action=Action.EXPORT, detail__startswith="FHIR export"
    ).exists()


def test_another_clinics_chart_number_is_never_reached(
    personas: Any, tmp_path: Path, capsys
) -> None:
    # Busan has a patient 000001 but no admin: refused, and Seoul's admin is never used.
    code, _out, err = run(
        capsys, "--clinic", "busan", "--chart", "000001", "--out", str(tmp_path / "r.zip")
    )
    assert code == 2 and "has no active clinic admin" in err
    assert not AccessLogEntry.objects.filter(
        action=Action.EXPORT, detail__startswith="FHIR export"
    ).exists()


def test_an_archive_on_standard_output_is_refused(personas: Any, capsys: Any) -> None:
    code, stdout, err = run(capsys, "--clinic", "seoul", "--chart", "000001", "--out", "-")
    assert code == 2 and stdout == "" and err.count("\n") == 1
    assert "--bundle-only" in err


def test_unwritable_output_exits_2(personas: Any, tmp_path: Path, capsys: Any) -> None:
    target = tmp_path / "missing-folder" / "record.zip"
    code, _out, err = run(capsys, "--clinic", "seoul", "--chart", "000001", "--out", str(target))
    assert code == 2
    assert err.startswith("atlaschart fhir: cannot write") and err.count("\n") == 1


def test_the_archive_is_a_zip_a_reader_can_open_in_memory(personas: Any, tmp_path, capsys) -> None:
    out = tmp_path / "r.zip"
    assert run(capsys, "--clinic", "seoul", "--chart", "000001", "--out", str(out))[0] == 0
    assert zipfile.ZipFile(io.BytesIO(out.read_bytes())).testzip() is None
