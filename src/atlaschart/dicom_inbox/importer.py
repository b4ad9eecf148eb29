"""The one way in to the imaging import for files the receiver holds on disk.

The web upload and the receiver end in the same import of the imaging_studies app: the same
checks, de-duplication (SOP Instance UID, sha256), storage and access-log rows. This module is
the seam: it calls ``imaging_studies.importing.import_files`` when that module exists and the
upload functions of ``imaging_studies.services`` / ``upload`` before it does, so nothing here
re-implements a check.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from atlaschart.imaging_studies import services, upload
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient

SOURCE = "dicom-network"


class ImportRefused(Exception):
    """The import refused the set: ``code`` (stable) and a translated ``message``; nothing of
    the set was stored."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Imported:
    instances: int
    duplicates: int


@dataclass(frozen=True)
class StudyIdentity:
    """What the files say about their patient (read once by the receiver, as received)."""

    study_instance_uid: str
    patient_id: str
    patient_name: str


def _importing() -> ModuleType | None:
    try:
        from atlaschart.imaging_studies import importing
    except ImportError:
        return None
    return importing


def identity_differences(
    paths: Sequence[Path], identities: Sequence[StudyIdentity], patient: Patient
) -> list[dict[str, Any]]:
    """The name / ID differences between the files and the chart that need a person to confirm:
    the same comparison as the web upload's confirmation step."""
    # The comparison reads only each study's UID, patient ID and name, which the receiver read
    # from the headers as the objects arrived: the files are not read again (a CBCT is hundreds
    # of slices, and the inbox page compares on every view). ``paths`` is kept for
    # ``importing.identity_differences_of_files`` should the comparison ever need the files.
    studies: Any = tuple(
        SimpleNamespace(
            study_instance_uid=i.study_instance_uid,
            patient_id=i.patient_id,
            patient_name=i.patient_name,
        )
        for i in identities
    )
    by_studies = getattr(upload, "identity_differences_of_studies", None)
    if by_studies is not None:
        return list(by_studies(studies, patient))
    return upload.identity_differences(SimpleNamespace(studies=studies), patient)  # type: ignore[arg-type]


def import_files(
    actor: Actor, patient: Patient, paths: Sequence[Path], *, identity_confirmed: bool
) -> Imported:
    """Import the files into ``patient``'s chart, all or nothing. Raises ``ImportRefused``."""
    importing = _importing()
    if importing is not None and hasattr(importing, "import_files"):
        kwargs: dict[str, Any] = {"source": SOURCE}
        if "identity_confirmed" in inspect.signature(importing.import_files).parameters:
            kwargs["identity_confirmed"] = identity_confirmed
        try:
            outcome = importing.import_files(actor, patient, list(paths), **kwargs)
        except importing.ImportRefused as exc:
            raise ImportRefused(
                str(getattr(exc, "code", "refused")), str(getattr(exc, "message", exc))
            ) from exc
        return Imported(
            int(getattr(outcome, "instances", 0)), int(getattr(outcome, "duplicates", 0))
        )
    items = [(p.name, p.read_bytes()) for p in paths]
    try:
        parsed = upload.parse(items)
        done = services.import_upload(actor, patient, parsed, identity_confirmed=identity_confirmed)
    except upload.UploadError as exc:
        raise ImportRefused(exc.code, exc.message) from exc
    return Imported(done.instances, done.duplicates)
