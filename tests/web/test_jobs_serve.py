"""`atlaschart serve`: without a broker it starts gunicorn and a Celery worker that share the
filesystem transport (ATLASCHART_TASKS=worker) and recycle; with one it starts no worker."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from atlaschart.commands import serve


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    calls: list[tuple[list[str], dict[str, str]]] = []

    class FakeProcess:
        def __init__(self, argv: list[str], env: dict[str, str], **options: Any) -> None:
            calls.append((argv, env))

    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(serve, "_supervise", lambda processes: 0)
    for name in ("CELERY_BROKER_URL", "REDIS_URL", "ATLASCHART_TASKS"):
        monkeypatch.delenv(name, raising=False)
    return calls


def _args(**overrides: Any) -> argparse.Namespace:
    values: dict[str, Any] = {
        "bind": "127.0.0.1:8000",
        "workers": 2,
        "threads": 4,
        "access_log": False,
        "worker": None,
        "task_workers": 1,
        "max_tasks_per_child": serve.MAX_TASKS_PER_CHILD,
    }
    values.update(overrides)
    return argparse.Namespace(**values)


def test_without_a_broker_serve_starts_a_recycling_worker_on_the_filesystem(started) -> None:
    assert serve.run(_args()) == 0
    (worker, worker_env), (web, web_env) = started
    assert worker[1:6] == ["-m", "celery", "-A", "atlaschart.web.celery", "worker"]
    assert "--max-tasks-per-child=50" in worker and "--concurrency=1" in worker
    assert web[1:3] == ["-m", "gunicorn"]
    assert web[web.index("--max-requests") + 1] == "2000"
    assert web[web.index("--max-requests-jitter") + 1] == "200"
    # Both sides of the queue use the same transport.
    assert worker_env["ATLASCHART_TASKS"] == web_env["ATLASCHART_TASKS"] == "worker"


def test_with_a_broker_serve_leaves_the_workers_to_their_own_units(started, monkeypatch) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://redis.clinic.internal:6379/0")
    serve.run(_args())
    ((web, web_env),) = started
    assert web[1:3] == ["-m", "gunicorn"] and "ATLASCHART_TASKS" not in web_env


def test_no_worker_keeps_tasks_in_the_request(started) -> None:
    serve.run(_args(worker=False))
    ((_web, web_env),) = started
    assert "ATLASCHART_TASKS" not in web_env


def test_the_settings_choose_the_transport(tmp_path, monkeypatch) -> None:
    from atlaschart.jobs.conf import celery_settings

    monkeypatch.delenv("ATLASCHART_TASKS", raising=False)
    assert celery_settings(tmp_path, "", "")["CELERY_TASK_ALWAYS_EAGER"] is True
    monkeypatch.setenv("ATLASCHART_TASKS", "worker")
    on_disk = celery_settings(tmp_path, "", "")
    assert on_disk["CELERY_TASK_ALWAYS_EAGER"] is False
    assert on_disk["CELERY_BROKER_URL"].startswith("filesystem://")
    assert on_disk["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(
        tmp_path / "tasks" / "queue"
    )
    assert (tmp_path / "tasks" / "queue").is_dir()
    redis = celery_settings(tmp_path, "redis://r:6379/0", "")
    assert (redis["CELERY_BROKER_URL"], redis["CELERY_TASK_ALWAYS_EAGER"]) == (
        "redis://r:6379/0",
        False,
    )
    monkeypatch.setenv("ATLASCHART_TASKS", "threads")
    with pytest.raises(ValueError, match="ATLASCHART_TASKS"):
        celery_settings(tmp_path, "", "")
