"""The DICOM Storage SCP the clinic's X-ray and CBCT machines send to (pynetdicom).

- C-ECHO answers success, so a modality's "test connection" works.
- An association is accepted only when its *called* AE title is a clinic's (``Clinic.ae_title``);
  any other is rejected (A-ASSOCIATE-RJ, permanent, "called AE title not recognised"). The clinic
  decides whose records a study may join, so it is never guessed from the calling machine.
- Each C-STORE is written to a staging folder of its association and checked at once: pydicom
  reads it, it is of a storage class we accept (radiographs, CT/CBCT, secondary capture), it
  holds pixel data and the pixels decode. A refused object gets a DICOM failure status, an
  access-log row, and nothing of it is kept.
- When the association ends (released, or aborted: what was acknowledged must not be lost), its
  accepted objects go to ``services.receive_set``: the same import as a web upload, or the
  clinic's imaging inbox.

The actor for everything the receiver writes is the clinic's first active clinic admin (as the
automatic reminders do), ``via="dicom"``, with the machine's address as the client address.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.uid import (
    JPEG2000,
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
)
from pynetdicom import AE, StoragePresentationContexts, evt
from pynetdicom.events import EventHandlerType

logger = logging.getLogger(__name__)

# The Verification SOP class (C-ECHO, PS3.4 A.4): pynetdicom.sop_class makes its names at import
# time, out of the type checker's sight, so the UID is written here.
VERIFICATION_SOP_CLASS = UID("1.2.840.10008.1.1")

DEFAULT_PORT = 11112
DEFAULT_HOST = "127.0.0.1"

# Storage SOP classes whose objects are images the clinic's records hold (PS3.4 B.5).
ACCEPTED_SOP_CLASSES: dict[str, str] = {
    "1.2.840.10008.5.1.4.1.1.1": "Computed Radiography Image Storage",
    "1.2.840.10008.5.1.4.1.1.1.1": "Digital X-Ray Image Storage - For Presentation",
    "1.2.840.10008.5.1.4.1.1.1.1.1": "Digital X-Ray Image Storage - For Processing",
    "1.2.840.10008.5.1.4.1.1.1.3": "Digital Intra-Oral X-Ray Image Storage - For Presentation",
    "1.2.840.10008.5.1.4.1.1.1.3.1": "Digital Intra-Oral X-Ray Image Storage - For Processing",
    "1.2.840.10008.5.1.4.1.1.2": "CT Image Storage",
    "1.2.840.10008.5.1.4.1.1.2.1": "Enhanced CT Image Storage",
    "1.2.840.10008.5.1.4.1.1.2.2": "Legacy Converted Enhanced CT Image Storage",
    "1.2.840.10008.5.1.4.1.1.13.1.2": "X-Ray 3D Craniofacial Image Storage",
    "1.2.840.10008.5.1.4.1.1.7": "Secondary Capture Image Storage",
    "1.2.840.10008.5.1.4.1.1.7.2": "Multi-frame Grayscale Byte Secondary Capture Image Storage",
    "1.2.840.10008.5.1.4.1.1.7.3": "Multi-frame Grayscale Word Secondary Capture Image Storage",
    "1.2.840.10008.5.1.4.1.1.7.4": "Multi-frame True Color Secondary Capture Image Storage",
}

# What a modality may send the images in: uncompressed, and the compressions the viewer decodes
# (pylibjpeg, pyjpegls: see pyproject.toml). A pixel payload that still does not decode is
# refused per object with 0xC000.
IMAGE_TRANSFER_SYNTAXES = [
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    JPEG2000Lossless,
    JPEG2000,
    RLELossless,
]

# C-STORE statuses (PS3.4 Annex B.2.3).
SUCCESS = 0x0000
REFUSED_SOP_CLASS_NOT_SUPPORTED = 0x0122
REFUSED_OUT_OF_RESOURCES = 0xA700
ERROR_DATASET_DOES_NOT_MATCH_SOP_CLASS = 0xA900
ERROR_CANNOT_UNDERSTAND = 0xC000

# A-ASSOCIATE-RJ (result, source, reason) (PS3.8 9.3.4).
REJECT_CALLED_AE_UNKNOWN = (0x01, 0x01, 0x07)
REJECT_TRANSIENT_NO_REASON = (0x02, 0x01, 0x01)


class Refused(Exception):
    """A received object we do not keep: the DICOM status to answer and a stable code for the
    access log."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


@dataclass
class Session:
    """One association: whose clinic it is, who acts, and what it has received so far."""

    clinic_id: int
    actor_user_id: int
    calling_ae: str
    peer_address: str
    staging: Path
    received: dict[str, Any] = field(default_factory=dict)  # SOP Instance UID -> Received


def _text(ds: Any, keyword: str) -> str:
    try:
        value = ds.get(keyword)
    except (ValueError, TypeError, OverflowError):
        return ""
    return "" if value is None else str(value).strip()


def check_object(data: bytes, sop_class_uid: str, max_bytes: int) -> Any:
    """The received object as a dataset, or ``Refused``. The same reader and pixel decoder as the
    web upload (``atlaschart.imaging.dicom``)."""
    from atlaschart.imaging import dicom

    if sop_class_uid not in ACCEPTED_SOP_CLASSES:
        raise Refused(REFUSED_SOP_CLASS_NOT_SUPPORTED, "sop-class-not-accepted")
    try:
        ds = dicom.read(data, max_bytes=max_bytes)
    except dicom.TooLargeError as exc:
        raise Refused(REFUSED_OUT_OF_RESOURCES, exc.code) from exc
    except dicom.DicomError as exc:
        raise Refused(ERROR_CANNOT_UNDERSTAND, exc.code) from exc
    if _text(ds, "SOPClassUID") != sop_class_uid:
        raise Refused(ERROR_DATASET_DOES_NOT_MATCH_SOP_CLASS, "sop-class-mismatch")
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        if not _text(ds, keyword):
            raise Refused(ERROR_DATASET_DOES_NOT_MATCH_SOP_CLASS, "missing-uid")
    if "PixelData" not in ds:
        raise Refused(ERROR_DATASET_DOES_NOT_MATCH_SOP_CLASS, "no-pixel-data")
    try:
        dicom.pixels(ds, source="c-store")
    except dicom.DicomError as exc:
        raise Refused(ERROR_CANNOT_UNDERSTAND, exc.code) from exc
    return ds


class Receiver:
    """The SCP's event handlers and the associations in flight. ``serve`` blocks; tests use
    ``start`` (a background server) and ``wait_idle``."""

    def __init__(self, *, max_object_bytes: int | None = None) -> None:
        from atlaschart.imaging_studies.upload import max_upload_bytes

        self.max_object_bytes = max_object_bytes or max_upload_bytes()
        self._sessions: dict[int, Session] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._busy = 0
        self.server: Any = None

    # -- the application entity ------------------------------------------------------------

    def application_entity(self) -> AE:
        ae = AE(ae_title="ATLASCHART")
        # The called AE title is checked against every clinic's in on_requested (one server,
        # one title per clinic), so pynetdicom's own single-title check stays off.
        ae.require_called_aet = False
        ae.add_supported_context(VERIFICATION_SOP_CLASS)
        for cx in StoragePresentationContexts:
            syntax = cx.abstract_syntax
            if syntax is None:
                raise RuntimeError("a pynetdicom storage context without its SOP class")
            uid = str(syntax)
            if uid in ACCEPTED_SOP_CLASSES:
                ae.add_supported_context(uid, IMAGE_TRANSFER_SYNTAXES)
            else:
                # Accepted in negotiation only so that the object can be answered with "SOP
                # class not supported" (0x0122) and logged, instead of silently dropped.
                ae.add_supported_context(syntax)
        return ae

    def handlers(self) -> list[EventHandlerType]:
        return [
            (evt.EVT_REQUESTED, self.on_requested),
            (evt.EVT_C_ECHO, self.on_echo),
            (evt.EVT_C_STORE, self.on_store),
            (evt.EVT_RELEASED, self.on_end),
            (evt.EVT_ABORTED, self.on_end),
            (evt.EVT_CONN_CLOSE, self.on_end),
        ]

    def serve(self, host: str, port: int) -> None:
        self.application_entity().start_server(
            (host, port), block=True, evt_handlers=self.handlers()
        )

    def start(self, host: str, port: int) -> Any:
        self.server = self.application_entity().start_server(
            (host, port), block=False, evt_handlers=self.handlers()
        )
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server = None

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no association is open or being filed (tests)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._sessions and not self._busy, timeout)

    # -- events ----------------------------------------------------------------------------

    def on_requested(self, event: Any) -> None:
        assoc = event.assoc
        called = str(assoc.requestor.primitive.called_ae_title or "").strip()
        calling = str(assoc.requestor.primitive.calling_ae_title or "").strip()
        peer = str(assoc.requestor.address or "")
        try:
            found = _clinic_and_actor(called)
        finally:
            _close_db()
        if found is None:
            logger.warning(
                "DICOM association refused: called AE title %r is no clinic's (from %r at %s)",
                called,
                calling,
                peer,
            )
            _reject(assoc, REJECT_CALLED_AE_UNKNOWN)
            return
        clinic_id, user_id = found
        if user_id is None:
            logger.warning(
                "DICOM association refused: clinic %s has no active clinic admin to act for "
                "the receiver",
                called,
            )
            _reject(assoc, REJECT_TRANSIENT_NO_REASON)
            return
        from atlaschart.dicom_inbox.services import staging_root

        session = Session(
            clinic_id=clinic_id,
            actor_user_id=user_id,
            calling_ae=calling,
            peer_address=peer,
            staging=staging_root() / secrets.token_hex(16),
        )
        with self._lock:
            self._sessions[id(assoc)] = session

    def on_echo(self, event: Any) -> int:
        return SUCCESS

    def on_store(self, event: Any) -> int:
        with self._lock:
            session = self._sessions.get(id(event.assoc))
        if session is None:  # not possible for an accepted association; refuse, never guess
            return ERROR_CANNOT_UNDERSTAND
        sop_class = str(event.context.abstract_syntax)
        try:
            data = event.encoded_dataset()
            ds = check_object(data, sop_class, self.max_object_bytes)
            received = self._stage(session, ds, data, sop_class)
        except Refused as exc:
            self._log_refused(session, exc.code)
            return exc.status
        except OSError:
            logger.exception("DICOM object could not be written to the staging folder")
            self._log_refused(session, "write-failed")
            return REFUSED_OUT_OF_RESOURCES
        with self._lock:
            # A retried object replaces the first copy (the import would refuse a UID twice).
            session.received[received.sop_instance_uid] = received
        return SUCCESS

    def on_end(self, event: Any) -> None:
        with self._lock:
            session = self._sessions.pop(id(event.assoc), None)
            if session is None:
                return
            self._busy += 1
        try:
            self._file(session)
        except Exception:
            logger.exception(
                "DICOM objects from %s could not be filed; kept in %s",
                session.calling_ae,
                session.staging,
            )
        finally:
            _close_db()
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    # -- work ------------------------------------------------------------------------------

    def _stage(self, session: Session, ds: Any, data: bytes, sop_class: str) -> Any:
        from atlaschart.dicom_inbox.services import Received

        session.staging.mkdir(parents=True, exist_ok=True)
        sop_uid = _text(ds, "SOPInstanceUID")
        path = session.staging / f"{hashlib.sha256(sop_uid.encode()).hexdigest()[:24]}.dcm"
        path.write_bytes(data)
        return Received(
            path=path,
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            sop_class_uid=sop_class,
            sop_instance_uid=sop_uid,
            study_instance_uid=_text(ds, "StudyInstanceUID"),
            patient_id=_text(ds, "PatientID"),
            patient_name=_text(ds, "PatientName"),
            birth_date=_text(ds, "PatientBirthDate"),
            study_date=_text(ds, "StudyDate"),
            study_description=_text(ds, "StudyDescription"),
            modality=_text(ds, "Modality"),
        )

    def _actor(self, session: Session) -> Any:
        from atlaschart.accounts.models import User
        from atlaschart.lib.actor import Actor

        user = User.objects.get(pk=session.actor_user_id)
        return Actor(user=user, client_ip=session.peer_address, via="dicom")

    def _log_refused(self, session: Session, code: str) -> None:
        from atlaschart.dicom_inbox.services import log_refused

        try:
            log_refused(self._actor(session), code)
        finally:
            _close_db()

    def _file(self, session: Session) -> None:
        from atlaschart.dicom_inbox.services import receive_set

        objects = list(session.received.values())
        if objects:
            receipt = receive_set(
                self._actor(session),
                calling_ae=session.calling_ae,
                peer_address=session.peer_address,
                objects=objects,
            )
            logger.info(
                "DICOM association from %s: %s image(s) filed in charts, %s held, %s duplicate(s)",
                session.calling_ae,
                sum(receipt.imported.values()),
                len(receipt.held),
                receipt.duplicates,
            )
        shutil.rmtree(session.staging, ignore_errors=True)


def _reject(assoc: Any, result_source_reason: tuple[int, int, int]) -> None:
    """Send A-ASSOCIATE-RJ from EVT_REQUESTED (pynetdicom's way) and let it leave: the acceptor
    closes the socket as soon as the handler returns, which would read as an abort."""
    assoc.acse.send_reject(*result_source_reason)
    deadline = time.monotonic() + 2.0
    while not assoc.dul.to_provider_queue.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # the state machine writes the PDU after taking it off the queue


def _clinic_and_actor(called_ae: str) -> tuple[int, int | None] | None:
    """(clinic id, id of the user who acts for the receiver) for a called AE title."""
    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic

    if not called_ae:
        return None
    clinic = Clinic.objects.filter(ae_title=called_ae).only("id").first()
    if clinic is None:
        return None
    admin = (
        User.objects.filter(clinic_id=clinic.pk, role=Role.CLINIC_ADMIN, is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    return clinic.pk, admin


def _close_db() -> None:
    """Association threads are not Django's request threads: close their connections."""
    from django.db import connections

    connections.close_all()
