"""``atlaschart report``: exit codes and messages (docs/cli.md), the PDF written, the export
logged as the clinic admin the command acts as."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.web.report_chart import chart, media, pdf_text, squash  # noqa: F401

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("chart")
def test_writes_the_report_in_the_asked_language(personas, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.pdf"
    code, stdout, _err = run(
        capsys, "--clinic", "seoul", "--chart", "000001", "--lang", "en", "--out", str(out)
    )
    assert code == 0
    assert stdout.startswith(f"wrote {out}")
    text = pdf_text(out.read_bytes())
    assert squash("Difference: -4 points") in text
    entry = AccessLogEntry.objects.get(action=Action.EXPORT)
    assert entry.patient_id == personas.patient.pk
    assert entry.user_id == personas.admin.pk


@pytest.mark.usefixtures("chart")
def test_defaults_to_the_patients_language(tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.pdf"
    assert run(capsys, "--clinic", "seoul", "--chart", "000001", "--out", str(out))[0] == 0
    assert squash("경과 보고서") in pdf_text(out.read_bytes())


@pytest.mark.parametrize(
    ("clinic", "chart_no", "message"),
    [
        pytest.param("nowhere", "000001", "no clinic with the short name 'nowhere'", id="clinic"),
        pytest.param("seoul", "999999", "no patient with chart number '999999'", id="chart"),
    ],
)
def test_unknown_clinic_or_chart_exits_2_with_one_line(
    personas, tmp_path: Path, capsys, clinic: str, chart_no: str, message: str
) -> None:
    out = tmp_path / "report.pdf"
    code, stdout, err = run(capsys, "--clinic", clinic, "--chart", chart_no, "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1 and message in err
    assert not out.exists()
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()


def test_other_clinics_chart_number_is_not_reachable_by_slug(personas, tmp_path, capsys) -> None:
    # Busan's patient 000001 exists, but Busan has no admin: the command says so and writes
    # nothing (it never falls back to another clinic's admin).
    code, _out, err = run(
        capsys, "--clinic", "busan", "--chart", "000001", "--out", str(tmp_path / "r.pdf")
    )
    assert code == 2
    assert "has no active clinic admin" in err


@pytest.mark.usefixtures("chart")
def test_unwritable_output_exits_2(tmp_path: Path, capsys) -> None:
    target = tmp_path / "missing-folder" / "report.pdf"
    code, _out, err = run(capsys, "--clinic", "seoul", "--chart", "000001", "--out", str(target))
    assert code == 2
    assert err.startswith("atlaschart report: cannot write")


def test_bad_language_is_refused_by_the_parser(personas, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--clinic", "seoul", "--chart", "000001", "--lang", "fr", "--out", "x"])
    assert exit_info.value.code == 2
