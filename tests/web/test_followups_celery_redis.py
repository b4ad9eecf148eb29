"""The follow-up reminder through a real Celery worker on Redis (the production path).

Runs when REDIS_TEST_URL points at a Redis server (as tests/web/test_redis_celery.py); a
separate process prepares a clinic in a file database, the worker sends the due link with the
console mail backend, and the caller reads the task's result from Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tests.web.celery_worker import running_worker

REDIS_URL = os.environ.get("REDIS_TEST_URL", "")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="Redis tests skipped: REDIS_TEST_URL is not set"
)

PREPARE = """
import django, os
from datetime import date, timedelta
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'atlaschart.web.settings')
django.setup()
from django.core.management import call_command
call_command('migrate', verbosity=0)
from django.utils import timezone
from atlaschart.accounts.models import Role, User
from atlaschart.clinics.models import Clinic
from atlaschart.lib.actor import Actor
from atlaschart.patients.services import create_patient
from atlaschart.visits.services import create_care_plan
clinic = Clinic.objects.create(name='Celery clinic', slug='celery')
admin = User.objects.create(username='celery-admin', clinic=clinic, role=Role.CLINIC_ADMIN)
actor = Actor.system(admin, via='test')
patient = create_patient(actor, {'chart_number': '1', 'name': 'Due Patient',
    'date_of_birth': date(1980, 1, 1), 'email': 'due@example.org', 'preferred_language': 'en'})
create_care_plan(actor, patient, {'reassess_weeks': [4],
    'start_date': timezone.localdate() - timedelta(days=30)}, [])
"""

RUN = """
import django, os
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'atlaschart.web.settings')
django.setup()
from atlaschart.visits.tasks import remind_due_reassessments
print(remind_due_reassessments.delay().get(timeout=60))
"""


def test_the_daily_reminder_runs_on_a_worker_through_redis(tmp_path) -> None:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "DATABASE_URL": f"sqlite:///{tmp_path}/celery.sqlite3",
        "ATLASCHART_VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE], env=env, capture_output=True, text=True, timeout=120
    )
    assert prepared.returncode == 0, prepared.stderr
    printed: list[str] = []
    with running_worker(env, printed):
        result = subprocess.run(
            [sys.executable, "-c", RUN], env=env, capture_output=True, text=True, timeout=90
        )
        assert result.returncode == 0, result.stderr
        assert "'sent': 1" in result.stdout and "'skipped': 0" in result.stdout
    output = printed[0]
    assert "due@example.org" in output and "/intake/p/" in output
