"""``atlaschart dicom info FILE...``: a JSON summary per DICOM file. ``atlaschart dicom listen``:
the DICOM receiver (Storage SCP) the clinic's X-ray and CBCT machines send to
(docs/dicom_receiver.md).

``info`` prints a JSON list with one object per file, in argument order; a file that is not
readable DICOM gets ``{"path", "error": {"code", "message"}}`` in the list, and the command then
exits 2 with the first such reason on one stderr line.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from atlaschart.commands._common import UsageError, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("dicom", help="inspect DICOM files")
    sub = parser.add_subparsers(dest="dicom_command", metavar="ACTION", required=True)
    info_parser = sub.add_parser(
        "info",
        help="JSON summary per file",
        description="Summarise DICOM files: identity, modality, transfer syntax and whether it "
        "decodes, size, pixel spacing and which attribute calibrates it.",
    )
    info_parser.add_argument("files", nargs="+", metavar="FILE")
    info_parser.set_defaults(handler=run_info)
    listen_parser = sub.add_parser(
        "listen",
        help="receive studies from the clinic's imaging machines (DICOM Storage SCP)",
        description="Run the DICOM receiver: C-ECHO and C-STORE for radiographs, CT/CBCT and "
        "secondary captures. Each clinic is called by its own AE title; a study is filed in the "
        "chart whose number is its PatientID and whose name matches, else held in the clinic's "
        "imaging inbox. Runs until stopped (Ctrl-C, SIGTERM).",
    )
    listen_parser.add_argument("--port", type=int, default=11112, metavar="PORT")
    listen_parser.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (0.0.0.0: every interface; default 127.0.0.1)",
    )
    listen_parser.set_defaults(handler=run_listen)


def run_info(args: argparse.Namespace) -> int:
    from atlaschart.imaging.dicom import DicomError, info

    results: list[dict[str, Any]] = []
    first_error: str | None = None
    for path in args.files:
        try:
            results.append(info(path))
        except DicomError as exc:
            results.append({"path": path, "error": exc.as_dict()})
            first_error = first_error or f"{path}: {exc.message} ({exc.code})"
    print_json(results)
    if first_error:
        raise UsageError(first_error)
    return 0


def run_listen(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    from atlaschart.commands._django import setup_django

    setup_django()
    import logging

    from atlaschart.clinics.models import Clinic
    from atlaschart.dicom_inbox.receiver import Receiver

    # The root logger (settings.LOGGING, LOG_LEVEL) prints to stderr; the receiver says what it
    # filed for each association, pynetdicom only its warnings.
    logging.getLogger("atlaschart.dicom_inbox").setLevel(logging.INFO)
    logging.getLogger("pynetdicom").setLevel(logging.WARNING)
    titles = list(Clinic.objects.order_by("ae_title").values_list("ae_title", "name"))
    print(f"DICOM receiver on {args.host}:{args.port}; AE titles:", flush=True)
    for title, name in titles:
        print(f"  {title:<16} {name}", flush=True)
    # systemd stops a service with SIGTERM: stop taking associations, then let the ones in flight
    # be filed (a modality that got "success" must not lose its images).
    signal.signal(signal.SIGTERM, _interrupt)
    receiver = Receiver()
    try:
        receiver.serve(args.host, args.port)
        if not receiver.wait_idle(timeout=120):
            print("some associations were still open at exit; see the log", file=sys.stderr)
    except OSError as exc:
        why = exc.strerror or exc
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {why}") from exc
    except KeyboardInterrupt:
        pass
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
