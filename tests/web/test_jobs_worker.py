"""Jobs on a real Celery worker: through Redis (production; skipped without REDIS_TEST_URL) and
through kombu's filesystem transport under the var folder (what `atlaschart serve` starts on one
machine, no server), each with a file database the worker and the caller share.

The caller uploads a posture photo as the web view does (``posture.services.stage_shot``), waits
for the job, asks again with the same photo (the same job comes back), then sends the job's task
a second time, as a broker redelivering it would: still one shot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.web.celery_worker import running_worker

REDIS_URL = os.environ.get("REDIS_TEST_URL", "")

CALLER = """
import io, json, os, time
import django
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'atlaschart.web.settings')
django.setup()
from datetime import date
import numpy as np
from PIL import Image
from django.conf import settings
from django.core.management import call_command
call_command('migrate', verbosity=0)
from atlaschart.accounts.models import Role
from atlaschart.jobs.models import Job
from atlaschart.jobs.tasks import run
from atlaschart.lib.actor import Actor
from atlaschart.posture import services
from atlaschart.posture.models import PostureShot
from atlaschart.web.tasks import ping
assert not settings.CELERY_TASK_ALWAYS_EAGER, 'the caller must go through the broker'
# The repository root is the working folder (python -c puts it on the path): the suite's
# factories make the people and the session, through the services, as in the tests themselves.
from tests.factories import people
from tests.factories.posture import posture_session
clinic = people.clinic('Worker clinic', 'worker')
user = people.staff(clinic, Role.CLINICIAN, 'worker-clinician')
patient = people.patient(user, name='Kim', chart_number='1', date_of_birth=date(1980, 1, 1))
session = posture_session(user, patient, date(2025, 3, 1))
pixels = np.random.default_rng(0).integers(0, 255, (300, 400, 3), dtype=np.uint8)
buffer = io.BytesIO()
Image.fromarray(pixels).save(buffer, 'JPEG')
actor = Actor.system(user, via='test')
started = time.monotonic()
job = services.stage_shot(actor, session, 'anterior', buffer.getvalue(), 'JPEG')
request_s = time.monotonic() - started
seen = set()
while time.monotonic() - started < 150:
    job.refresh_from_db()
    seen.add(job.state)
    if job.state in ('done', 'failed'):
        break
    time.sleep(0.1)
again = services.stage_shot(actor, session, 'anterior', buffer.getvalue(), 'JPEG')
run.delay(job.pk)  # delivered twice
ping.delay().get(timeout=60)  # one worker, one queue: the duplicate was handled before this
job.refresh_from_db()
print(json.dumps({
    'mode': settings.ATLASCHART_TASK_MODE,
    'state': job.state, 'error': job.error_code, 'seen': sorted(seen),
    'attempts': job.attempts, 'same_job': again.pk == job.pk,
    'shots': PostureShot.objects.count(), 'result_url': job.result_url,
    'shot_url': '/posture/shot/%s/' % PostureShot.objects.values_list('pk', flat=True).first(),
    'request_s': request_s, 'job_s': job.result.get('seconds'),
    'waited_s': (job.started_at - job.created_at).total_seconds(),
}))
"""


def _run_caller(env: dict[str, str]) -> dict[str, Any]:
    printed: list[str] = []
    with running_worker(env, printed):
        result = subprocess.run(
            [sys.executable, "-c", CALLER], env=env, capture_output=True, text=True, timeout=300
        )
    assert result.returncode == 0, result.stderr[-3000:] + "\n--- worker ---\n" + "".join(printed)
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "ATLASCHART_TASKS")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/jobs.sqlite3",
        ATLASCHART_VAR_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    return env


def _assert_one_result(outcome: dict[str, Any]) -> None:
    print(outcome)  # the timings, with -s
    assert outcome["state"] == "done", outcome
    # The upload returned before the work was done: the caller saw the job waiting or running.
    assert {"queued", "running"} & set(outcome["seen"]), outcome
    assert outcome["same_job"] is True
    assert outcome["shots"] == 1 and outcome["attempts"] == 1
    assert outcome["result_url"] == outcome["shot_url"]


@pytest.mark.skipif(not REDIS_URL, reason="Redis tests skipped: REDIS_TEST_URL is not set")
def test_a_posture_job_runs_once_on_a_worker_through_redis(tmp_path: Path) -> None:
    env = _base_env(tmp_path)
    env.update(CELERY_BROKER_URL=REDIS_URL, CELERY_RESULT_BACKEND=REDIS_URL)
    outcome = _run_caller(env)
    assert outcome["mode"] == "broker"
    _assert_one_result(outcome)


def test_a_posture_job_runs_once_on_the_filesystem_transport(tmp_path: Path) -> None:
    env = _base_env(tmp_path)
    env.update(ATLASCHART_TASKS="worker")
    outcome = _run_caller(env)
    assert outcome["mode"] == "filesystem"
    _assert_one_result(outcome)
    # The messages went through folders under the var folder, and none is left behind.
    queue = tmp_path / "tasks" / "queue"
    assert queue.is_dir() and not any(queue.iterdir())
