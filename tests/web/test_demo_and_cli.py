"""The demo loader and the `atlaschart` command."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client

from atlaschart.accounts.models import User
from atlaschart.cli import build_parser
from atlaschart.clinics.demo import load_demo
from atlaschart.clinics.models import Clinic
from atlaschart.patients.models import Patient


def test_demo_loads_two_clinics_a_user_per_role_and_about_twenty_patients(
    db, settings, tmp_path
) -> None:
    settings.VAR_DIR = tmp_path
    result = load_demo()
    assert result.created
    assert Clinic.objects.count() == 2
    for clinic in Clinic.objects.all():
        assert sorted(clinic.users.values_list("role", flat=True)) == [
            "admin",
            "clinician",
            "front_desk",
        ]
    assert 18 <= Patient.objects.count() <= 24
    assert Patient.objects.filter(name__regex=r"[가-힣]").exists()
    assert Patient.objects.filter(name__regex=r"^[A-Za-z' ]+$").exists()
    _clinic, username, password, _role = next(
        c for c in result.credentials if c[1] == "seoul-clinician"
    )
    assert (
        Client().post("/accounts/login/", {"username": username, "password": password}).status_code
        == 302
    )


def test_demo_runs_twice_without_changing_anything(db, settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    first = load_demo()
    counts = (Clinic.objects.count(), User.objects.count(), Patient.objects.count())
    second = load_demo()
    assert not second.created
    assert (Clinic.objects.count(), User.objects.count(), Patient.objects.count()) == counts
    assert second.credentials == first.credentials


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_the_foundation_subcommands_exist() -> None:
    assert {"serve", "migrate", "demo", "check", "i18n"} <= set(subcommands())


@pytest.mark.parametrize("name", subcommands())
def test_every_subcommand_has_help(name) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "atlaschart.cli", name, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: atlaschart" in result.stdout


def test_no_subcommand_prints_help_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "atlaschart.cli"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "COMMAND" in result.stdout
