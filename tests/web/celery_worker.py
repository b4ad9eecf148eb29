"""A real Celery worker in a subprocess, for the tests that go through a Redis broker."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

WORKER_ARGS = [
    "-m",
    "celery",
    "-A",
    "atlaschart.web.celery",
    "worker",
    "--pool=solo",
    "--concurrency=1",
    "--loglevel=WARNING",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
]


@contextmanager
def running_worker(env: dict[str, str], output: list[str] | None = None) -> Iterator[None]:
    """Start a worker with ``env``; stop it on exit and append what it printed to ``output``."""
    worker = subprocess.Popen(
        [sys.executable, *WORKER_ARGS],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield
    finally:
        worker.terminate()
        try:
            printed, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            printed, _ = worker.communicate()
        if output is not None:
            output.append(printed)
