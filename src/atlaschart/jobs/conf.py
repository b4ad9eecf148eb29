"""How tasks reach a worker, chosen from the environment (imported by web/settings.py).

- ``CELERY_BROKER_URL`` (or ``REDIS_URL``) set: production, Celery on that broker (Redis).
- else ``ATLASCHART_TASKS=worker`` (``atlaschart serve`` / ``make run`` set it and start a
  worker): kombu's filesystem transport, message folders under ``ATLASCHART_VAR_DIR/tasks``;
  no server to install.
- else eager: tasks run in the calling process (tests, the CLI, the demo loader).

No Django imports: settings.py calls this while it is being read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: The values ATLASCHART_TASKS may take.
TASK_MODES = ("eager", "worker")


def celery_settings(var_dir: Path, broker_url: str, result_backend: str) -> dict[str, Any]:
    """The CELERY_* settings (without the prefix' namespace: keys are the settings' names)."""
    mode = os.environ.get("ATLASCHART_TASKS", "").strip() or "eager"
    if mode not in TASK_MODES:
        raise ValueError(f"ATLASCHART_TASKS must be one of {', '.join(TASK_MODES)}, not {mode!r}")
    common: dict[str, Any] = {
        # A job's task is claimed in the database (jobs.services); late acks let a message
        # whose worker died be delivered again instead of lost.
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
        "CELERY_TASK_SERIALIZER": "json",
        "CELERY_ACCEPT_CONTENT": ["json"],
    }
    if broker_url:
        return {
            **common,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": result_backend or broker_url,
            "CELERY_TASK_ALWAYS_EAGER": False,
            "ATLASCHART_TASK_MODE": "broker",
        }
    if mode == "worker":
        folders = filesystem_folders(var_dir)
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        return {
            **common,
            # A host name the transport ignores; without one kombu warns on every connection.
            "CELERY_BROKER_URL": "filesystem://localhost//",
            "CELERY_BROKER_TRANSPORT_OPTIONS": {
                "data_folder_in": str(folders["queue"]),
                "data_folder_out": str(folders["queue"]),
                "control_folder": str(folders["control"]),
                "store_processed": False,
            },
            # Results (atlaschart check's ping) as files; jobs keep theirs in the database.
            "CELERY_RESULT_BACKEND": result_backend or f"file://{folders['results']}",
            "CELERY_TASK_ALWAYS_EAGER": False,
            "ATLASCHART_TASK_MODE": "filesystem",
        }
    return {
        **common,
        # Never connected to: an eager task still takes a producer to check the message
        # serialises, and kombu's in-memory transport needs no server.
        "CELERY_BROKER_URL": "memory://localhost/",
        "CELERY_RESULT_BACKEND": result_backend or None,
        "CELERY_TASK_ALWAYS_EAGER": True,
        "ATLASCHART_TASK_MODE": "eager",
    }


def filesystem_folders(var_dir: Path) -> dict[str, Path]:
    base = var_dir / "tasks"
    return {"queue": base / "queue", "control": base / "control", "results": base / "results"}
