"""Staged DICOM uploads (they hold the files' patient names) never outlive their token:
a sweep removes those older than an hour, run by Celery beat, by ``atlaschart imaging
sweep-uploads`` from a timer, and on every staging and confirmation."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from atlaschart.imaging_studies import storage

pytestmark = pytest.mark.django_db
HOUR = storage.TOKEN_MAX_AGE_S


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def staged_folders(media: Path) -> list[Path]:
    root = media / "imaging" / "tmp"
    return sorted(root.iterdir()) if root.exists() else []


def stage(age_s: float = 0) -> Path:
    before = set(staged_folders(Path(django_settings.MEDIA_ROOT)))
    storage.stage([("a.dcm", b"DICM Kim^Minjun")], user_id=1, patient_id=1)
    (folder,) = set(staged_folders(Path(django_settings.MEDIA_ROOT))) - before
    stamp = time.time() - age_s
    os.utime(folder, (stamp, stamp))
    return folder


def test_the_sweep_removes_uploads_older_than_a_token_and_keeps_the_rest(media: Path) -> None:
    old, fresh = stage(age_s=HOUR + 60), stage(age_s=HOUR - 60)
    assert storage.sweep_staged() == 1
    assert staged_folders(media) == [fresh] and not old.exists()
    # An hour later the fresh one goes too; a sweep of an empty area removes nothing.
    assert storage.sweep_staged(now=time.time() + 120) == 1
    assert staged_folders(media) == []
    assert storage.sweep_staged() == 0


def test_the_sweep_works_before_anything_was_ever_staged(media: Path) -> None:
    assert storage.sweep_staged() == 0


def test_a_stray_file_in_the_staging_area_ages_out_too(media: Path) -> None:
    stage()
    stray = media / "imaging" / "tmp" / "half-written"
    stray.write_bytes(b"x")
    stamp = time.time() - HOUR - 1
    os.utime(stray, (stamp, stamp))
    assert storage.sweep_staged() == 1 and not stray.exists()


def test_the_celery_task_is_scheduled_by_beat_and_sweeps(media: Path) -> None:
    from atlaschart.imaging_studies.tasks import sweep_staged_uploads
    from atlaschart.web.celery import app

    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert sweep_staged_uploads.name in scheduled
    assert sweep_staged_uploads.name in app.tasks  # found by autodiscover_tasks()
    stage(age_s=HOUR + 1)
    assert sweep_staged_uploads.apply().get() == {"removed": 1, "exports_expired": 0}
    assert staged_folders(media) == []


def test_the_cli_sweeps_for_a_timer(media: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from atlaschart.cli import main

    stage(age_s=HOUR + 1)
    keep = stage(age_s=60)
    assert main(["imaging", "sweep-uploads"]) == 0
    assert json.loads(capsys.readouterr().out) == {"removed": 1, "exports_expired": 0}
    # A shorter lifetime may be asked for, never a longer one than the token's.
    assert main(["imaging", "sweep-uploads", "--max-age-minutes", "1"]) == 0
    assert (
        json.loads(capsys.readouterr().out) == {"removed": 1, "exports_expired": 0}
        and not keep.exists()
    )
    assert main(["imaging", "sweep-uploads", "--max-age-minutes", "0"]) == 2


def test_staging_a_new_upload_sweeps_the_old_ones(personas: Any, media: Path) -> None:
    from pydicom.data import get_testdata_file

    from atlaschart.imaging_studies import services
    from atlaschart.lib.actor import Actor

    old = stage(age_s=HOUR + 1)
    ct = Path(get_testdata_file("CT_small.dcm")).read_bytes()  # names another patient: staged
    outcome = services.receive_upload(
        Actor.system(personas.clinician, via="test"), personas.patient, [("ct.dcm", ct)]
    )
    assert isinstance(outcome, services.NeedsConfirmation)
    assert not old.exists() and len(staged_folders(media)) == 1


def test_the_app_sweeps_at_start_up(media: Path) -> None:
    from django.apps import apps

    old = stage(age_s=HOUR + 1)
    apps.get_app_config("imaging_studies").ready()
    assert not old.exists()
