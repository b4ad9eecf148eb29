"""``atlaschart serve``: the web app under gunicorn, and (one machine, no broker) a Celery worker.

With no ``CELERY_BROKER_URL``/``REDIS_URL`` the two processes share kombu's filesystem transport
(``ATLASCHART_TASKS=worker``: message folders under ``ATLASCHART_VAR_DIR/tasks``), so ``make run``
needs no server installed. With a broker (production) workers run on their own (``celery -A
atlaschart.web.celery worker``, docs/background.md) and ``serve`` starts none unless ``--worker``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from typing import Any

#: A worker process is replaced after this many tasks (memory a model or an import kept).
MAX_TASKS_PER_CHILD = 50
#: The worker runs at a lower CPU priority than the web processes: on one machine the pose
#: model's passes would otherwise take the cores from other users' pages.
WORKER_NICENESS = 10
#: A gunicorn worker is replaced after about this many requests (plus up to the jitter), so no
#: two workers restart at once.
MAX_REQUESTS, MAX_REQUESTS_JITTER = 2000, 200


def worker_argv(concurrency: int, max_tasks_per_child: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "atlaschart.web.celery",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        f"--max-tasks-per-child={max_tasks_per_child}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname=atlaschart@%h",
    ]


def web_argv(args: argparse.Namespace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "atlaschart.web.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-" if args.access_log else "/dev/null",
        "--timeout",
        "120",
        "--max-requests",
        str(MAX_REQUESTS),
        "--max-requests-jitter",
        str(MAX_REQUESTS_JITTER),
    ]


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
    has_broker = bool(os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"))
    start_worker = args.worker if args.worker is not None else not has_broker
    env = dict(os.environ)
    if start_worker and not has_broker:
        # Web and worker both use the filesystem transport (atlaschart/jobs/conf.py).
        env.setdefault("ATLASCHART_TASKS", "worker")
    processes: list[subprocess.Popen[bytes]] = []
    if start_worker:
        processes.append(
            subprocess.Popen(
                worker_argv(args.task_workers, args.max_tasks_per_child),
                env=env,
                preexec_fn=_lower_priority,  # runs in the child before exec
            )
        )
    print(f"AtlasChart is serving on http://{args.bind}  (Ctrl+C stops it)", flush=True)
    if start_worker:
        print("A background worker runs beside it (docs/background.md).", flush=True)
    processes.append(subprocess.Popen(web_argv(args), env=env))
    return _supervise(processes)


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


def _supervise(processes: list[subprocess.Popen[bytes]]) -> int:
    """Wait until one process ends or we are told to stop; then stop the others."""
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        while not stopping:
            ended = [p for p in processes if p.poll() is not None]
            if ended:
                code = ended[0].returncode or 0
                break
            time.sleep(0.5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 20
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
    return code


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the web app (and its background worker)",
        description=(
            "Serve AtlasChart with gunicorn, behind a reverse proxy in production. Without a "
            "broker (CELERY_BROKER_URL / REDIS_URL) a Celery worker is started beside it on the "
            "filesystem transport under the var folder; with one, run workers yourself."
        ),
    )
    parser.add_argument(
        "--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000)"
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--access-log", action="store_true", help="print one line per request")
    worker = parser.add_mutually_exclusive_group()
    worker.add_argument(
        "--worker",
        dest="worker",
        action="store_true",
        default=None,
        help="start a background worker (the default without a broker)",
    )
    worker.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help=(
            "start no background worker: without a broker tasks then run inside the web "
            "requests, unless ATLASCHART_TASKS=worker is set for a worker started elsewhere"
        ),
    )
    parser.add_argument(
        "--task-workers",
        type=int,
        default=1,
        help="background task processes (default 1: the pose model uses the cores itself)",
    )
    parser.add_argument(
        "--max-tasks-per-child",
        type=int,
        default=MAX_TASKS_PER_CHILD,
        help=f"replace a task process after this many tasks (default {MAX_TASKS_PER_CHILD})",
    )
    parser.set_defaults(handler=run)
