"""What happens to a set of objects the receiver accepted, and to a held study.

At the end of an association the receiver hands its accepted objects here. Each study is matched
to a chart by PatientID = chart number AND the name (the web upload's identity comparison); a
matched study goes through the same import as a web upload, anything else is held in the
clinic's imaging inbox until a person confirms the patient or discards it. Every function that
writes takes the acting user first (``actor``), writes the access log, and leaves nothing half
stored: a held item's files are removed again if its row cannot be saved, and a confirmed or
discarded item's files go only once that change is committed.

A held item's files live in the media storage (``lib/media``: local disk or the clinic network's
object storage) under ``dicom-inbox/<clinic id>/<key>/``, so the worker that imports a confirmed
study need not be the node that received it. Confirming marks the item "being imported" in one
short transaction and hands the import to a background job (``dicom_inbox.jobs``), which reads
the files slice by slice in the import's own short batches and files the item when it is done.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.dicom_inbox import importer
from atlaschart.dicom_inbox.access import inbox_of_clinic
from atlaschart.dicom_inbox.models import HeldReason, InboxItem, InboxState
from atlaschart.imaging_studies.access import instances_of_clinic
from atlaschart.jobs.models import Job
from atlaschart.jobs.services import input_sha256, live_job, submit
from atlaschart.lib import media
from atlaschart.lib.actor import Actor
from atlaschart.patients.access import patients_of_clinic
from atlaschart.patients.models import Patient

logger = logging.getLogger(__name__)


#: The job that imports a confirmed item (dicom_inbox/jobs.py).
IMPORT_HELD_KIND = "dicom_inbox.import_held"
#: Where held files are kept in the media storage.
MEDIA_PREFIX = "dicom-inbox"


def inbox_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "dicom-inbox"


def staging_root() -> Path:
    """One folder per association while it runs: on the receiving node only, for the length of
    the association; what it files is copied into the media storage."""
    return inbox_root() / "staging"


def held_names(item: InboxItem) -> list[str]:
    """The media names of a held item's files."""
    return [f"{MEDIA_PREFIX}/{item.clinic_id}/{item.key}/{f['name']}" for f in item.files]


@contextlib.contextmanager
def held_local_paths(item: InboxItem) -> Iterator[list[Path]]:
    """The held files on this node's disk for the import (the files themselves on local disk,
    temporary copies from object storage, removed when the block ends)."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(media.local_path(name)) for name in held_names(item)]


def _delete_held(names: Sequence[str]) -> None:
    for name in names:
        try:
            media.delete(name)
        except OSError:  # the sweep of the media storage finds it later; the row is right
            logger.warning("could not remove the held file %s", name)


@dataclass(frozen=True)
class Received:
    """One object the receiver accepted (checked: readable, pixel data, an accepted class)."""

    path: Path
    sha256: str
    size_bytes: int
    sop_class_uid: str
    sop_instance_uid: str
    study_instance_uid: str
    patient_id: str
    patient_name: str
    birth_date: str
    study_date: str
    study_description: str
    modality: str


@dataclass
class Receipt:
    """What became of an association's objects."""

    imported: dict[int, int] = field(default_factory=dict)  # patient pk -> images stored
    duplicates: int = 0
    held: list[int] = field(default_factory=list)  # inbox item pks


def _cut(text: str, n: int) -> str:
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")[:n]


def _identity(objects: Sequence[Received]) -> importer.StudyIdentity:
    first = objects[0]
    return importer.StudyIdentity(
        first.study_instance_uid, first.patient_id.strip(), first.patient_name.strip()
    )


def _matching_patient(
    actor: Actor, objects: Sequence[Received]
) -> tuple[Patient | None, HeldReason | None]:
    """The chart whose number is the files' PatientID and whose name matches; else why not."""
    ident = _identity(objects)
    if not ident.patient_id:
        return None, HeldReason.NO_PATIENT_ID
    patient = (
        patients_of_clinic(actor)
        .filter(chart_number=ident.patient_id, archived_at__isnull=True)
        .first()
    )
    if patient is None:
        return None, HeldReason.NO_CHART
    if importer.identity_differences([ident], patient):
        return None, HeldReason.IDENTITY_DIFFERS
    # A file without a name matches on its ID alone in the upload's comparison; the network has
    # no person looking at the screen, so a study must name its patient to be filed unasked.
    if not ident.patient_name:
        return None, HeldReason.IDENTITY_DIFFERS
    return patient, None


def _already_known(actor: Actor, objects: Sequence[Received]) -> list[Received]:
    """Objects neither stored in a chart of this clinic nor held in its inbox already."""
    uids = [o.sop_instance_uid for o in objects]
    stored = set(
        instances_of_clinic(actor)
        .filter(sop_instance_uid__in=uids)
        .values_list("sop_instance_uid", flat=True)
    )
    held: set[str] = set()
    waiting = (InboxState.HELD, InboxState.IMPORTING)
    for files in inbox_of_clinic(actor).filter(state__in=waiting).values_list("files", flat=True):
        held.update(f["sha256"] for f in files)
    return [o for o in objects if o.sop_instance_uid not in stored and o.sha256 not in held]


def receive_set(
    actor: Actor, *, calling_ae: str, peer_address: str, objects: Sequence[Received]
) -> Receipt:
    """File an association's accepted objects, study by study. The staged files are moved into
    the inbox or removed; the caller removes the (then empty) staging folder."""
    receipt = Receipt()
    studies: dict[str, list[Received]] = defaultdict(list)
    for obj in objects:
        studies[obj.study_instance_uid].append(obj)
    for study_objects in studies.values():
        new = _already_known(actor, study_objects)
        receipt.duplicates += len(study_objects) - len(new)
        if not new:
            continue
        patient, reason = _matching_patient(actor, new)
        if patient is not None:
            try:
                done = importer.import_files(
                    actor, patient, [o.path for o in new], identity_confirmed=False
                )
            except importer.ImportRefused as exc:
                logger.warning("DICOM study held: the import refused it (%s)", exc.code)
                reason = HeldReason.IMPORT_REFUSED
            else:
                receipt.imported[patient.pk] = receipt.imported.get(patient.pk, 0) + done.instances
                receipt.duplicates += done.duplicates
                continue
        assert reason is not None
        receipt.held.append(
            _hold(actor, new, reason, calling_ae=calling_ae, peer_address=peer_address).pk
        )
    return receipt


def _hold(
    actor: Actor,
    objects: Sequence[Received],
    reason: HeldReason,
    *,
    calling_ae: str,
    peer_address: str,
) -> InboxItem:
    clinic_id = actor.clinic_id
    if clinic_id is None:
        # The receiver acts as the clinic's DICOM user (receiver.py): an item always has one.
        raise ValueError("A held DICOM study needs the receiving clinic's user as its actor.")
    first = objects[0]
    modalities = sorted({o.modality for o in objects if o.modality})
    item = InboxItem(
        clinic_id=clinic_id,
        key=secrets.token_hex(16),
        calling_ae=_cut(calling_ae, 16),
        peer_address=_cut(peer_address, 64),
        patient_id_received=_cut(first.patient_id, 64),
        patient_name_received=_cut(first.patient_name, 200),
        birth_date_received=_cut(first.birth_date, 8),
        study_instance_uid=_cut(first.study_instance_uid, 64),
        study_date=_cut(first.study_date, 8),
        study_description=_cut(first.study_description, 200),
        modality=_cut(", ".join(modalities), 64),
        files=[
            {
                "name": f"{n:05d}.dcm",
                "sha256": o.sha256,
                "sop_instance_uid": o.sop_instance_uid,
                "size_bytes": o.size_bytes,
            }
            for n, o in enumerate(objects, start=1)
        ],
        reason=reason,
    )
    names = held_names(item)
    stored: list[str] = []
    try:
        for o, name in zip(objects, names, strict=True):
            with o.path.open("rb") as handle:
                stored.append(media.save(name, handle))
            if stored[-1] != name:
                raise FileExistsError(name)  # a fresh random key: nothing should be there
        with transaction.atomic():
            item.save()
            log_access(
                actor,
                Action.CREATE,
                patient=None,
                obj=item,
                detail=f"DICOM study held in the imaging inbox: {reason.value}",
            )
    except BaseException:
        _delete_held(stored)
        raise
    for o in objects:
        o.path.unlink(missing_ok=True)
    return item


def log_refused(actor: Actor, code: str) -> None:
    """An object the receiver refused (a DICOM failure status went back; nothing was stored)."""
    log_access(actor, Action.DENIED, patient=None, detail=f"DICOM object refused: {code}")


# --- the inbox page ----------------------------------------------------------------------------


class ItemNotHeld(Exception):
    """The item was confirmed or discarded already (by someone else, or a second click)."""


def _lock_held(actor: Actor, item: InboxItem) -> InboxItem:
    locked = inbox_of_clinic(actor).select_for_update().filter(pk=item.pk).first()
    if locked is None or locked.state != InboxState.HELD:
        raise ItemNotHeld
    return locked


def import_input_sha256(item: InboxItem, patient: Patient) -> str:
    """One live import job per item and chart: a second click finds the first click's job."""
    return input_sha256(IMPORT_HELD_KIND, item.key, patient.pk)


def import_job(item: InboxItem) -> Job | None:
    """The live job importing an item being imported (None once it failed or for another state)."""
    if item.state != InboxState.IMPORTING or item.patient is None:
        return None
    return live_job(item.clinic_id, IMPORT_HELD_KIND, import_input_sha256(item, item.patient))


def confirm(actor: Actor, item: InboxItem, patient: Patient) -> Job:
    """Confirm a held study's patient (the same step as a web upload whose names differ): mark
    the item "being imported" and start the import job, which files it. Returns the job; a
    second confirmation while it runs returns the same job. Raises ``ItemNotHeld`` when the item
    was imported or discarded already.

    Only the mark is written under the item's row lock (milliseconds); the import itself, for a
    CBCT hundreds of slices, runs in the job in its own short batches."""
    with transaction.atomic():
        locked = inbox_of_clinic(actor).select_for_update().filter(pk=item.pk).first()
        if locked is None:
            raise ItemNotHeld
        if locked.state == InboxState.IMPORTING:
            running = import_job(locked)
            if running is not None:
                # The mark jobs.services.submit sets on a live job it hands back (no Job field).
                running.reused = True  # type: ignore[attr-defined]
                return running
            # Its job ended unexpectedly (a failed job is not live): this confirmation starts
            # another one.
        elif locked.state != InboxState.HELD:
            raise ItemNotHeld
        locked.state, locked.patient = InboxState.IMPORTING, patient
        locked.save(update_fields=["state", "patient"])
    try:
        return submit(
            actor,
            IMPORT_HELD_KIND,
            patient=patient,
            input_sha256=import_input_sha256(locked, patient),
            payload={"item": locked.pk, "back_url": reverse("dicom_inbox:item", args=[locked.pk])},
        )
    except BaseException:
        release(locked)
        raise


def release(item: InboxItem, reason: HeldReason | None = None) -> None:
    """An item being imported goes back to waiting for a person (its import was refused, or
    could not be started); its files stay."""
    changes: dict[str, object] = {"state": InboxState.HELD, "patient": None}
    if reason is not None:
        changes["reason"] = reason
    InboxItem.objects.filter(pk=item.pk, state=InboxState.IMPORTING).update(**changes)


def finish_import(actor: Actor, item: InboxItem, patient: Patient) -> bool:
    """File an item whose import job stored its images: one short transaction under the row
    lock. False when it is no longer being imported (a second run of the job finished first)."""
    with transaction.atomic():
        locked = inbox_of_clinic(actor).select_for_update().filter(pk=item.pk).first()
        if locked is None or locked.state != InboxState.IMPORTING:
            return False
        _resolve(actor, locked, InboxState.IMPORTED, patient)
        log_access(
            actor,
            Action.UPDATE,
            patient=patient,
            obj=locked,
            detail="imaging inbox: imported after the patient was confirmed",
        )
    return True


def discard(actor: Actor, item: InboxItem) -> None:
    """Remove a held study's files; the row stays, marked discarded. Raises ``ItemNotHeld``."""
    with transaction.atomic():
        locked = _lock_held(actor, item)
        _resolve(actor, locked, InboxState.DISCARDED, None)
        log_access(
            actor, Action.UPDATE, patient=None, obj=locked, detail="imaging inbox: discarded"
        )


def _resolve(actor: Actor, item: InboxItem, state: str, patient: Patient | None) -> None:
    names = held_names(item)
    item.state, item.patient = state, patient
    item.resolved_by, item.resolved_at = actor.user, timezone.now()
    item.save(update_fields=["state", "patient", "resolved_by", "resolved_at"])
    # The stored blobs are copies; the held files go only once the change is committed.
    transaction.on_commit(lambda: _delete_held(names))
