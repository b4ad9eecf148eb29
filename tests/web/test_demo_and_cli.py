"""The demo loader and the `atlaschart` command."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import people

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


def _row_counts() -> dict[str, int]:
    """Rows of every model of the project's apps (and the access log): a second run adds none."""
    from django.apps import apps

    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("atlaschart.")
    }


def test_the_living_demo_holds_every_stage_of_care_and_a_second_run_changes_nothing(
    db, settings, tmp_path, capsys
) -> None:
    """Both clinics, through the services, in under a minute; then nothing changes on rerun."""
    from atlaschart.calendarfeed.models import CalendarFeed
    from atlaschart.clinics.demo_stories.partners import EXPORT_REASONS
    from atlaschart.commands import demo as demo_command
    from atlaschart.exams.models import ExamRecord
    from atlaschart.fhir.jobs import EXPORT_KIND, archive_name
    from atlaschart.fhir.models_tokens import ApiToken
    from atlaschart.imaging_studies.models import Instance, UCAnalysis
    from atlaschart.intake.models import FollowUp, Intake, IntakeLink, QuestionnaireResponse
    from atlaschart.jobs.models import Job, JobState
    from atlaschart.lib import media
    from atlaschart.posture.models import PostureShot
    from atlaschart.posture.services import ANALYSE_KIND
    from atlaschart.reports.services import REPORT_KIND
    from atlaschart.safety.services import latest_screen
    from atlaschart.visits.models import Appointment, CarePlan, Treatment, Visit

    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")
    started = time.monotonic()
    first = load_demo()
    seconds = time.monotonic() - started
    assert first.created and first.skipped == [], first.skipped
    assert seconds < 60, f"the demo took {seconds:.1f} s to load"
    today = timezone.localdate()
    passwords = {username: password for _c, username, password, _r in first.credentials}
    for clinic in Clinic.objects.all():
        patients = list(Patient.objects.filter(clinic=clinic).order_by("chart_number")[:6])
        complete, red_flag, new, injection, followups, _manual = patients
        clinician = User.objects.get(clinic=clinic, role="clinician")
        # Today: appointments for the demo clinician.
        todays = Appointment.objects.filter(
            clinic=clinic, clinician=clinician, starts_at__date=today
        )
        assert todays.count() >= 5
        # A complete intake: consent, body map, questionnaires scored.
        intake = Intake.objects.get(patient=complete)
        assert intake.consent_personal and intake.consent_health
        assert any(k.startswith("pain_") for k in intake.answers)
        assert QuestionnaireResponse.objects.filter(intake=intake).count() >= 2
        # The screen: a red flag for one, clear for another.
        assert latest_screen(complete).level == "none-found"
        assert any(f["rule"] == "S2" for f in latest_screen(red_flag).findings)
        # An open link, not answered yet.
        assert IntakeLink.objects.filter(patient=new, submitted_at__isnull=True).exists()
        # Neuro and leg checks, before and after.
        kinds = set(ExamRecord.objects.filter(patient=complete).values_list("kind", "timing"))
        assert {("neuro", ""), ("leg_check", "pre"), ("leg_check", "post")} <= kinds
        # Posture before and after, each with landmarks (the model's or placed by hand).
        shots = PostureShot.objects.filter(session__patient=complete)
        assert shots.count() == 2
        assert all(shot.revisions.order_by("-number").first().landmarks for shot in shots)
        # A radiograph from pydicom's samples, with an analysis.
        assert Instance.objects.filter(series__study__patient=complete).count() == 1
        assert UCAnalysis.objects.filter(patient=complete).count() == 1
        # A care plan with goals; signed visits with an adjustment and an injection.
        assert CarePlan.objects.get(patient=complete).goals.count() == 2
        assert Visit.objects.filter(patient=complete, signed_at__isnull=False).count() == 3
        signed = Treatment.objects.filter(visit__patient__clinic=clinic, signed_at__isnull=False)
        assert signed.filter(kind="uc_adjustment").exists()
        assert signed.filter(kind="injection", visit__patient=injection).exists()
        # Follow-ups that show change: the NDI (or the first repeated score) moved.
        assert FollowUp.objects.filter(patient=followups).count() == 2
        scores = list(
            QuestionnaireResponse.objects.filter(patient=followups, scorable=True)
            .order_by("recorded_at", "id")
            .values_list("instrument", "score")
        )
        by_instrument: dict[str, list[float]] = {}
        for instrument, score in scores:
            by_instrument.setdefault(instrument, []).append(score)
        assert any(len(v) == 3 and v[0] != v[-1] for v in by_instrument.values())
        # Finished background jobs for the complete patient: the posture photos, the report and
        # the whole-record FHIR export (with its reason), each archive or file downloadable.
        done = Job.objects.filter(patient=complete, state=JobState.DONE)
        assert done.filter(kind=ANALYSE_KIND).count() == 2
        assert done.filter(kind=REPORT_KIND).count() == 1
        export = done.get(kind=EXPORT_KIND)
        assert (
            export.payload["reason"]
            == EXPORT_REASONS["ko" if clinic.slug == "seoul-demo" else "en"]
        )
        assert media.exists(archive_name(export))
        # Each finished job's page hands its file to the clinician who signs in to the demo.
        reader = Client()
        reader.post(
            "/accounts/login/",
            {"username": clinician.username, "password": passwords[clinician.username]},
        )
        for job in (export, done.get(kind=REPORT_KIND)):
            got = reader.get(f"/jobs/{job.pk}/", follow=True)
            assert got.status_code == 200
            assert got["Content-Type"] in ("application/zip", "application/pdf")
        # The clinician's calendar address, live.
        assert CalendarFeed.objects.filter(user=clinician, revoked_at__isnull=True).count() == 1

    # The Korean clinic's partner API: one live token (printed, and it opens the API) and one
    # revoked, so the token page shows both states.
    seoul_tokens = ApiToken.objects.filter(clinic__slug="seoul-demo")
    assert seoul_tokens.filter(revoked_at__isnull=True).count() == 1
    assert seoul_tokens.filter(revoked_at__isnull=False).count() == 1
    assert not ApiToken.objects.filter(clinic__slug="busan-demo").exists()
    [(_clinic, secret)] = first.api_tokens
    api = Client().get("/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200 and api.json()["resourceType"] == "Bundle"
    assert [who for who, _path in first.calendar_feeds] == ["seoul-clinician", "busan-clinician"]
    for _who, path in first.calendar_feeds:
        feed = Client().get(path)
        assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content

    counts = _row_counts()
    second = load_demo()
    assert not second.created
    assert _row_counts() == counts
    assert second.credentials == first.credentials
    # The secrets shown once are printed again on a second run (kept beside the passwords).
    assert second.api_tokens == first.api_tokens
    assert second.calendar_feeds == first.calendar_feeds
    assert demo_command.run(argparse.Namespace()) == 0
    printed = capsys.readouterr().out
    assert "nothing changed" in printed
    assert f'curl -H "Authorization: Bearer {secret}" http://127.0.0.1:8000/fhir/Patient' in printed
    assert f"http://127.0.0.1:8000{first.calendar_feeds[0][1]}" in printed
    assert (
        f"http://127.0.0.1:8000/jobs/{Job.objects.filter(kind=EXPORT_KIND).first().pk}/" in printed
    )
    assert _row_counts() == counts


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


@pytest.mark.parametrize("who", ["desk", "clinician", "admin"])
def test_every_role_starts_at_todays_appointments(personas, who) -> None:
    client = personas.login(getattr(personas, who))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/schedule/today/"


def test_the_intake_links_page_shows_status_only_and_logs_whom_it_showed(personas) -> None:
    """The front desk sees which links are open or answered, never the answers; each patient
    shown is logged; another clinic's links are not listed."""
    from atlaschart.audit.models import AccessLogEntry
    from atlaschart.intake.services import create_link
    from atlaschart.lib.actor import Actor

    create_link(Actor.system(personas.desk, via="test"), personas.patient)
    busan_desk = people.staff(personas.busan, "front_desk", "busan-desk-links")
    create_link(Actor.system(busan_desk, via="test"), personas.busan_patient)
    client = personas.login(personas.desk)
    client.post("/accounts/language/", {"language": "ko", "next": "/"})
    page = client.get("/intake-links/").content.decode()
    assert "김민준" in page and "열림, 아직 미응답" in page
    assert "권나연" not in page
    assert AccessLogEntry.objects.filter(
        patient=personas.patient, user=personas.desk, detail="intake links"
    ).exists()


def test_without_the_pose_model_the_demo_photos_get_points_marked_as_placed_by_hand(
    db, settings, tmp_path, monkeypatch
) -> None:
    from atlaschart.posture import services as posture_services
    from atlaschart.posture.models import PostureShot

    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(
        posture_services, "detect", lambda photo, view: ([], "pose model not installed", "")
    )
    result = load_demo(only=("seoul-demo",))
    assert result.skipped == []
    shots = PostureShot.objects.filter(session__patient__clinic__slug="seoul-demo")
    assert shots.count() == 2
    for shot in shots:
        first, latest = shot.revisions.order_by("number")
        assert first.source == "model" and first.landmarks == []
        assert latest.source == "clinician"
        assert {p["source"] for p in latest.landmarks} == {"clinician"}
        assert len(latest.landmarks) == 11
