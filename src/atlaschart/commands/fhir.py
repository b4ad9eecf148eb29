"""``atlaschart fhir export``: a patient's whole record as FHIR R4 (docs/cli.md, docs/fhir.md).

Acts as the clinic's first active clinic admin (``Actor.system(admin, via="cli")``), like
``atlaschart report``: the export goes through the same doors and is one ``export`` row in the
access log. Writes the archive (a zip: the Bundle, the photos and DICOM files it references, a
sha256 manifest) to ``--out``; ``--out - --bundle-only`` prints the Bundle JSON alone. Exit 2 with
a one-line message for an unknown clinic or chart number, a clinic without an active admin, an
output that cannot be written, or an archive asked for on standard output.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from atlaschart.commands._common import UsageError
from atlaschart.commands._django import chart_as_clinic_admin, setup_django

DEFAULT_REASON = "requested at the command line"


def run_export(args: argparse.Namespace) -> int:
    if args.out == "-" and not args.bundle_only:
        raise UsageError("an archive is binary: give --out FILE.zip, or --bundle-only with --out -")
    setup_django()
    from atlaschart.fhir.export import export_bundle_only, export_patient

    actor, patient_id = chart_as_clinic_admin(args.clinic, args.chart)
    reason = args.reason.strip() or DEFAULT_REASON

    if args.bundle_only:
        text = export_bundle_only(actor, patient_id, reason)
        if args.out == "-":
            sys.stdout.write(text + "\n")
            return 0
        _write_atomically(Path(args.out), text.encode("utf-8"))
        print(f"wrote {args.out} (FHIR Bundle, {len(text.encode('utf-8'))} bytes)")
        return 0

    target = Path(args.out)
    directory = target.parent if str(target.parent) else Path(".")
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=directory, prefix=".fhir-export-", suffix=".zip", delete=False
        ) as handle:
            temporary = Path(handle.name)
            summary = export_patient(actor, patient_id, reason, handle)
        os.replace(temporary, target)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    print(
        f"wrote {args.out} ({summary.resources} FHIR resources, "
        f"{len(summary.files) - 1} files, {target.stat().st_size} bytes)"
    )
    return 0


def _write_atomically(target: Path, data: bytes) -> None:
    """Nothing half written: a temporary file beside the target, renamed over it."""
    directory = target.parent if str(target.parent) else Path(".")
    try:
        with tempfile.NamedTemporaryFile(
            dir=directory, prefix=".fhir-export-", delete=False
        ) as handle:
            handle.write(data)
        os.replace(handle.name, target)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fhir",
        help="a patient's whole record as FHIR R4 (Bundle, files, manifest)",
        description="HL7 FHIR R4 export of a patient's whole record (docs/fhir.md).",
    )
    actions = parser.add_subparsers(dest="fhir_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write the patient's record as a zip: FHIR Bundle, photos, DICOM, sha256 manifest",
        description="One zip: bundle.json (FHIR Bundle, type collection), the photos and DICOM "
        "files it references, manifest.json with the sha256 of every file. Logged as an export.",
    )
    export.add_argument("--clinic", required=True, help="the clinic's short name (slug)")
    export.add_argument("--chart", required=True, help="the patient's chart number")
    export.add_argument("--out", required=True, help="the zip to write; - for standard output")
    export.add_argument(
        "--bundle-only",
        action="store_true",
        help="write only the Bundle JSON (with --out -: print it)",
    )
    export.add_argument(
        "--reason",
        default=DEFAULT_REASON,
        help="why the record leaves the clinic (written to the access log)",
    )
    export.set_defaults(handler=run_export)
