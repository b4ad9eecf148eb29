"""The jobs service: one job per input, one result per job however often its task is delivered,
nothing half written when a job fails, progress and messages in the reader's language, and the
door (another clinic's job is a 404, a role without the work's permission a 403).

The posture job stands for every job here: it is the one whose result (a shot and its first
landmark revision) is easy to count. The pose model is replaced by fixed points (as in
test_posture.py), so these tests do not depend on mediapipe.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from tests.builders.landmarks import SHOULDERS
from tests.builders.photos import jpeg
from tests.builders.uploads import stored_files, upload_photo
from tests.factories.posture import posture_session

from atlaschart.audit.models import AccessLogEntry
from atlaschart.jobs import access as job_access
from atlaschart.jobs import services as jobs
from atlaschart.jobs.models import Job
from atlaschart.jobs.registry import HANDLERS, JobFailed, JobResult, Progress, job_handler
from atlaschart.lib.actor import Actor
from atlaschart.posture import services as posture
from atlaschart.posture.models import LandmarkRevision, PostureShot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [dict(p) for p in SHOULDERS]
    monkeypatch.setattr(posture, "detect", lambda photo, view: (points, "", "fake-model@1"))


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Jobs submitted but not sent: the test runs them itself (as a worker would)."""
    sent: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", sent.append)
    return sent


def staged_job(personas: Any, data: bytes | None = None, view: str = "anterior") -> Job:
    session = posture_session(personas.clinician, personas.patient)
    actor = Actor.system(personas.clinician, via="test")
    return posture.stage_shot(actor, session, view, data or jpeg(), "JPEG")


# Idempotency -----------------------------------------------------------------------------------


def test_the_same_input_twice_is_one_job_and_one_result(personas, media, fake_model):
    session = posture_session(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    data = jpeg()
    first = upload_photo(client, session, data)
    second = upload_photo(client, session, data)
    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1
    assert PostureShot.objects.count() == 1 and LandmarkRevision.objects.count() == 1
    # The second request's staged copy was removed: only the shot's own file is left.
    assert [p.read_bytes() for p in stored_files(media)] == [data]
    assert AccessLogEntry.objects.filter(detail=jobs.SUBMIT_DETAIL).count() == 1


def test_another_photo_or_view_is_another_job(personas, held):
    session = posture_session(personas.clinician, personas.patient)
    actor = Actor.system(personas.clinician, via="test")
    a = posture.stage_shot(actor, session, "anterior", jpeg(400, 300), "JPEG")
    b = posture.stage_shot(actor, session, "anterior", jpeg(401, 300), "JPEG")
    c = posture.stage_shot(actor, session, "posterior", jpeg(400, 300), "JPEG")
    assert len({a.pk, b.pk, c.pk}) == 3


def test_a_task_delivered_twice_writes_one_shot(personas, media, fake_model, held):
    job = staged_job(personas)
    assert held == [job.pk] and Job.objects.get().state == "queued"
    assert jobs.run_job(job.pk) == "done"
    assert jobs.run_job(job.pk) == "skipped"  # the second delivery finds it done
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert PostureShot.objects.count() == 1 and LandmarkRevision.objects.count() == 1
    assert job.result_url == f"/posture/shot/{PostureShot.objects.get().pk}/"


def test_a_delivery_while_another_runs_does_nothing(personas, fake_model, held):
    job = staged_job(personas)
    assert jobs._claim(job.pk) == "claimed"
    assert jobs.run_job(job.pk) == "busy"  # the first run holds it
    assert PostureShot.objects.count() == 0
    assert Job.objects.get().attempts == 1


def test_a_rerun_after_a_dead_worker_finds_the_shot_it_wrote(personas, media, fake_model, held):
    """The worker wrote the shot and died before marking the job done; once that run is stale,
    the redelivered task takes the job over and finds the shot: still one shot."""
    job = staged_job(personas)
    assert jobs.run_job(job.pk) == "done"
    long_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(state="running", started_at=long_ago, finished_at=None)
    assert jobs.run_job(job.pk) == "done"
    job.refresh_from_db()
    assert job.attempts == 2
    assert PostureShot.objects.count() == 1 and LandmarkRevision.objects.count() == 1
    assert job.result["shot_id"] == PostureShot.objects.get().pk


def test_a_failed_job_does_not_block_trying_again(personas, media, held, monkeypatch):
    def refuse(photo: Any, view: str) -> Any:
        raise posture.ViewContradiction("anterior", ("face seen",))

    monkeypatch.setattr(posture, "detect", refuse)
    data = jpeg()
    first = staged_job(personas, data, view="posterior")
    jobs.run_job(first.pk)
    assert Job.objects.get(pk=first.pk).state == "failed"
    again = posture.stage_shot(
        Actor.system(personas.clinician, via="test"),
        first.patient.posture_sessions.get(),
        "posterior",
        data,
        "JPEG",
    )
    assert again.pk != first.pk and again.state == "queued"


# Failure leaves nothing half written --------------------------------------------------------------


def test_a_crash_while_writing_leaves_no_shot_no_file_and_a_message(
    personas, media, fake_model, held, monkeypatch
):
    job = staged_job(personas)
    assert len(stored_files(media)) == 1  # the staged photo

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # The shot's access-log row is its last write: everything before it must roll back.
    monkeypatch.setattr(posture, "log_access", broken)
    assert jobs.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "unexpected")
    assert PostureShot.objects.count() == 0 and LandmarkRevision.objects.count() == 0
    assert stored_files(media) == []  # neither the shot's file nor the staged one
    client = personas.login(personas.clinician, browser_language="ko")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "예기치 않은 오류로 작업을 마치지 못했으며" in page
    assert "disk full" not in page and "RuntimeError" not in page


def test_a_user_who_lost_the_role_gets_the_job_refused(personas, fake_model, held):
    job = staged_job(personas)
    personas.clinician.role = "front_desk"
    personas.clinician.save(update_fields=["role"])
    assert jobs.run_job(job.pk) == "failed"
    assert Job.objects.get().error_code == "not_allowed"
    assert PostureShot.objects.count() == 0


# Progress and words ---------------------------------------------------------------------------


@pytest.fixture
def demo_kind() -> Any:
    from django.utils.translation import gettext_lazy as _

    seen: list[dict[str, Any]] = []

    @job_handler(
        "tests.counting",
        needs=(),
        steps={"counting": _("Reading slice %(done)s of %(total)s")},
        errors={"too_many": _("No person was found in the photo.")},
    )
    def counting(job: Job, progress: Progress) -> JobResult:
        for n in range(3):
            progress.step("counting", done=n, total=3)
            seen.append(dict(Job.objects.filter(pk=job.pk).values("step", "done", "total")[0]))
        if job.payload.get("fail"):
            raise JobFailed("too_many")
        return JobResult("/", {"counted": 3})

    yield seen
    HANDLERS.pop("tests.counting")


def test_progress_is_saved_as_it_goes_and_said_in_words(personas, demo_kind, held) -> None:
    actor = Actor.system(personas.clinician, via="test")
    job = jobs.submit(actor, "tests.counting", patient=None, input_sha256="1" * 64, payload={})
    jobs.run_job(job.pk)
    assert demo_kind == [{"step": "counting", "done": n, "total": 3} for n in range(3)]
    job.refresh_from_db()
    assert (job.state, job.percent, job.result["counted"]) == ("done", 100, 3)
    Job.objects.filter(pk=job.pk).update(state="running", step="counting", done=1, total=3)
    job.refresh_from_db()
    with translation.override("en"):
        assert job.percent == 33 and job.message == "Reading slice 1 of 3"


def test_an_undeclared_step_is_a_programming_error(personas, held) -> None:
    actor = Actor.system(personas.clinician, via="test")
    job = staged_job(personas)
    with pytest.raises(ValueError, match="not declared"):
        Progress(job).step("dreaming")
    del actor


def test_an_expected_failure_is_shown_translated(personas, demo_kind, held) -> None:
    actor = Actor.system(personas.clinician, via="test")
    job = jobs.submit(
        actor, "tests.counting", patient=None, input_sha256="2" * 64, payload={"fail": True}
    )
    jobs.run_job(job.pk)
    client = personas.login(personas.clinician, browser_language="ko")
    status = client.get(f"/jobs/{job.pk}/status").json()
    assert status["state"] == "failed" and status["result_url"] == ""
    assert status["message"] == "작업을 마치지 못했습니다."
    assert status["error"] and "too_many" not in status["error"]


def test_the_status_and_the_page_while_the_job_waits(personas, held) -> None:
    job = staged_job(personas)
    client = personas.login(personas.clinician, browser_language="ko")
    status = client.get(f"/jobs/{job.pk}/status")
    assert status["Cache-Control"] == "no-store"
    assert status.json() == {
        "state": "queued",
        "percent": 0,
        "message": "시작을 기다리는 중입니다…",
        "result_url": "",
        "error": "",
    }
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<progress" in page and f'data-job-status-url="/jobs/{job.pk}/status"' in page
    assert '<meta http-equiv="refresh" content="2">' in page  # inside <noscript>
    assert "자세 사진 분석" in page and "jobs/progress.js" in page


def test_the_done_notice_shows_once_on_the_result_page(personas, fake_model) -> None:
    client = personas.login(personas.clinician)
    response = upload_photo(client, posture_session(personas.clinician, personas.patient), jpeg())
    status = client.get(response["Location"] + "status").json()
    assert status["state"] == "done" and status["result_url"].startswith("/posture/shot/")
    shot_page = client.get(status["result_url"]).content.decode()
    assert "The photo was saved and the landmarks were found." in shot_page
    again = client.get(status["result_url"]).content.decode()
    assert "The photo was saved and the landmarks were found." not in again


# The door -------------------------------------------------------------------------------------


def test_another_clinics_job_is_a_404(personas, fake_model) -> None:
    client = personas.login(personas.clinician)
    response = upload_photo(client, posture_session(personas.clinician, personas.patient), jpeg())
    job = Job.objects.get()
    client = personas.login(personas.outsider)
    assert client.get(response["Location"]).status_code == 404
    assert client.get(f"/jobs/{job.pk}/status").status_code == 404
    assert client.get(f"/jobs/{job.pk + 1000}/status").status_code == 404  # as one that is not
    assert AccessLogEntry.objects.filter(user=personas.outsider, action="denied").count() == 3


def test_the_404_comes_from_the_clinic_filter(personas, fake_model, monkeypatch) -> None:
    """The test above bites: with the door's clinic filter removed, the outsider gets the job."""
    client = personas.login(personas.clinician)
    upload_photo(client, posture_session(personas.clinician, personas.patient), jpeg())
    job = Job.objects.get()
    monkeypatch.setattr(type(job_access.job_door), "of_clinic", lambda self, who: Job.objects.all())
    client = personas.login(personas.outsider)
    assert client.get(f"/jobs/{job.pk}/status").status_code == 200


def test_front_desk_may_not_see_a_posture_job(personas, fake_model) -> None:
    client = personas.login(personas.clinician)
    upload_photo(client, posture_session(personas.clinician, personas.patient), jpeg())
    job = Job.objects.get()
    client = personas.login(personas.desk)
    assert client.get(f"/jobs/{job.pk}/").status_code == 403
    assert client.get(f"/jobs/{job.pk}/status").status_code == 403


def test_a_job_without_declared_needs_is_only_for_who_asked(personas, demo_kind, held):
    job = jobs.submit(
        Actor.system(personas.clinician, via="test"),
        "tests.counting",
        patient=None,
        input_sha256="3" * 64,
        payload={},
    )
    client = personas.login(personas.admin)
    assert client.get(f"/jobs/{job.pk}/status").status_code == 403
    client = personas.login(personas.clinician)
    assert client.get(f"/jobs/{job.pk}/status").status_code == 200


def test_the_progress_page_is_logged_once_per_browser_session(personas, held) -> None:
    job = staged_job(personas)
    client = personas.login(personas.clinician)
    for _ in range(3):
        client.get(f"/jobs/{job.pk}/")
        client.get(f"/jobs/{job.pk}/status")
    rows = AccessLogEntry.objects.filter(object_type="jobs.job", action="view")
    assert list(rows.values_list("detail", flat=True)) == ["job progress"]
    assert rows.get().patient_id == personas.patient.pk


def test_input_hash_separates_its_parts() -> None:
    assert jobs.input_sha256("ab", "c") != jobs.input_sha256("a", "bc")
    assert jobs.input_sha256({"b": 1, "a": 2}) == jobs.input_sha256({"a": 2, "b": 1})
    assert len(jobs.input_sha256(b"x")) == 64
