"""The one way in to the imaging import for files the receiver holds on disk.

The web upload and the receiver end in the same import of the imaging_studies app
(``importing.import_files``): the same checks, de-duplication (SOP Instance UID, sha256),
storage and access-log rows (named ``via dicom-network``). This module only adapts its names and
compares identities from the headers the receiver already read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from atlaschart.imaging_studies import importing, upload
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient

SOURCE = "dicom-network"
ImportRefused = importing.ImportRefused  # code, translated message; nothing of the set stored


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


def identity_differences(
    identities: Sequence[StudyIdentity], patient: Patient
) -> list[dict[str, Any]]:
    """The name / ID differences between the files and the chart that need a person to confirm:
    the web upload's comparison of studies (``upload.identity_differences_of_studies``). It reads
    only each study's UID, patient ID and name, which the receiver read from the headers as the
    objects arrived, so the files are not read again (a CBCT is hundreds of slices, and the inbox
    page compares on every view)."""
    studies: Any = tuple(
        SimpleNamespace(
            study_instance_uid=i.study_instance_uid,
            patient_id=i.patient_id,
            patient_name=i.patient_name,
        )
        for i in identities
    )
    return upload.identity_differences_of_studies(studies, patient)


def import_files(
    actor: Actor, patient: Patient, paths: Sequence[Path], *, identity_confirmed: bool
) -> Imported:
    """Import the files into ``patient``'s chart, all or nothing. Raises ``ImportRefused``."""
    outcome = importing.import_files(
        actor, patient, list(paths), source=SOURCE, identity_confirmed=identity_confirmed
    )
    return Imported(outcome.instances, outcome.duplicates)
