"""``atlaschart serve``: serve the web app with gunicorn (static files through WhiteNoise)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
    print(f"AtlasChart is serving on http://{args.bind}  (Ctrl+C stops it)", flush=True)
    argv = [
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
        # Recycle each worker after about 1,000 requests (jitter: not all at once), so memory a
        # worker grew (a large page, a library's cache) is handed back. docs/imaging.md.
        "--max-requests",
        str(args.max_requests),
        "--max-requests-jitter",
        str(max(1, args.max_requests // 10)),
        # Under the gthread worker --timeout is only the worker's heartbeat: the main thread
        # keeps beating while a request thread runs, so it never ends a slow request. Request
        # time limits are the reverse proxy's (proxy_read_timeout; docs/imaging.md).
        "--timeout",
        "120",
    ]
    os.execv(sys.executable, argv)  # noqa: S606 — replaces this process with gunicorn


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the web app",
        description="Serve AtlasChart with gunicorn. Behind a reverse proxy in production.",
    )
    parser.add_argument(
        "--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000)"
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--access-log", action="store_true", help="print one line per request")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=1000,
        help="restart a worker after this many requests, with 10%% jitter (default 1000)",
    )
    parser.set_defaults(handler=run)
