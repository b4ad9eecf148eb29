"""The production path: Redis as the shared cache (login rate limits) and as the Celery broker.

Runs when REDIS_TEST_URL points at a Redis server (CI sets it; tools/run_tests.py sets it when
Redis answers on 127.0.0.1:6379); otherwise skipped with that reason.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.celery_worker import running_worker

REDIS_URL = os.environ.get("REDIS_TEST_URL", "")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="Redis tests skipped: REDIS_TEST_URL is not set"
)


def test_the_sign_in_lock_holds_with_redis_as_the_shared_cache(personas, settings) -> None:
    """With Redis as the cache of several web nodes, the lock still holds, and it is kept in the
    database (a row counted under a lock), so clearing the shared cache does not lift it."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    from django.core.cache import cache

    from atlaschart.accounts.models import SignInThrottle

    cache.clear()
    for _ in range(5):
        Client(REMOTE_ADDR="198.51.100.7").post(
            reverse("accounts:login"), {"username": "clinician", "password": "wrong"}
        )
    cache.clear()  # another node's cache, or a Redis restart, must not reset the count
    response = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("accounts:login"), {"username": "clinician", "password": personas.password}
    )
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert SignInThrottle.objects.filter(failures__gte=5).exists()
    cache.set("atlaschart-shared-cache-check", "ok")
    assert cache.get("atlaschart-shared-cache-check") == "ok"
    cache.clear()


def test_a_celery_worker_runs_a_task_through_the_redis_broker(tmp_path) -> None:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "DATABASE_URL": f"sqlite:///{tmp_path}/celery.sqlite3",
        "ATLASCHART_VAR_DIR": str(tmp_path),
    }
    with running_worker(env):
        script = (
            "import django, os;"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'atlaschart.web.settings');"
            "django.setup(); from atlaschart.web.tasks import ping;"
            "print(ping.delay().get(timeout=60))"
        )
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "'status': 'ok'" in result.stdout and "sqlite" in result.stdout
