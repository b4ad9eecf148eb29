"""Writes to posture records. Each function is one user action: one transaction, one log entry.

Every function takes the acting user first (``actor: Actor``), not the request, and writes its own
audit row, so the web views, the CLI and background tasks share the same rules."""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.imaging.photos import Photo, vertical_tilt_deg
from atlaschart.jobs.models import Job
from atlaschart.jobs.services import input_sha256, live_job, submit
from atlaschart.lib.actor import Actor
from atlaschart.measure import posture as core
from atlaschart.patients.models import Patient
from atlaschart.posture.access import shots_of_clinic
from atlaschart.posture.adapt import compute, metrics_to_json
from atlaschart.posture.models import (
    ClinicPostureSettings,
    LandmarkRevision,
    LandmarkSource,
    PostureSession,
    PostureShot,
)

logger = logging.getLogger(__name__)
#: The job that analyses an uploaded photo (posture/jobs.py).
ANALYSE_KIND = "posture.analyse_shot"
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
#: Background verticals leaning more than this (degrees) get a warning on the shot page: about
#: the size of the shoulder and pelvic obliquities a clinic looks for (1–3°, a project reading of
#: [atlaschart-pose-precision] in docs/sources.md), so a tilt beyond it would be read as one.
TILT_WARNING_DEG = 1.5
#: In a shot's ``detector``: the model's left and right were re-labelled (``imaging.pose``).
RELABELLED_MARK = "sides-relabelled"
#: A posted point within this many pixels of the stored one counts as not moved (rounding in JS).
UNMOVED_TOLERANCE_PX = 0.5


class StaleRevision(Exception):
    """The landmarks were saved by someone else since the page was loaded."""


class ViewContradiction(Exception):
    """The photo looks like another view than the one chosen (face seen or hidden); nothing was
    stored. ``suggested`` is the view it looks like."""

    def __init__(self, suggested: str, evidence: tuple[str, ...]) -> None:
        super().__init__(f"this looks like a {suggested} view")
        self.suggested = suggested
        self.evidence = evidence


@transaction.atomic
def create_session(actor: Actor, patient: Patient, data: dict[str, Any]) -> PostureSession:
    clinician = actor.user
    if clinician is None:
        # The clinician column is required: only a signed-in member of staff opens a session.
        raise ValueError("A posture session needs a signed-in clinician.")
    session = patient.posture_sessions.create(clinician=clinician, **data)
    log_access(actor, Action.CREATE, patient=patient, obj=session)
    return session


def detect(photo: Photo, view: str) -> tuple[list[dict[str, Any]], str, str]:
    """Model landmarks as stored JSON, a note when there are none, and the detector's id.

    Runs in the background worker (``posture.jobs``): ~30 ms a pass, 22 test-time-augmentation
    passes (about 1 s on 2 cores). Without the pose model installed the shot is still saved and
    the clinician places the points by hand. Left and right are checked against ``view``
    (``core.check_sides``): re-labelled points come back with ``+sides-relabelled`` in the
    detector's id, and a photo that looks like the other view raises ``ViewContradiction`` before
    anything is written.
    """
    try:
        from atlaschart.imaging.pose import PoseModelNotInstalled, detect_landmarks
    except ImportError:  # OpenCV missing too
        return [], "pose model not installed", ""
    try:
        detection = detect_landmarks(
            photo.rgb, core.View(view), tta=True, frame_size=(photo.width, photo.height)
        )
    except PoseModelNotInstalled:
        return [], "pose model not installed", ""
    if not detection.person_found:
        return [], (detection.message or "no person found")[:200], detection.method
    sides = detection.sides
    if sides is not None and sides.verdict is core.SideVerdict.WRONG_VIEW:
        suggested = sides.suggested_view.value if sides.suggested_view is not None else ""
        raise ViewContradiction(suggested, sides.evidence)
    points = [
        {
            "name": lm.name,
            "x": round(lm.x_px, 2),
            "y": round(lm.y_px, 2),
            "visibility": round(lm.visibility, 3),
            "source": LandmarkSource.MODEL.value,
            "uncertainty_px": None if lm.uncertainty_px is None else round(lm.uncertainty_px, 3),
            "moved_by": None,
            "moved_at": None,
        }
        for lm in detection.landmarks.landmarks
    ]
    return points, "", detection.method


def stage_shot(
    actor: Actor, session: PostureSession, view: str, data: bytes, image_format: str
) -> Job:
    """Keep an uploaded photo (already checked by ``ShotUploadForm``) and submit the job that
    analyses it (``posture.jobs.analyse_shot``); returns at once.

    The photo is stored under a random name in ``posture/staged/`` of the private media storage;
    the job makes the shot from it and removes it. The same photo sent again for the same session
    and view gets the job that exists (and the staged copy just written is removed).
    """
    photo_sha256 = hashlib.sha256(data).hexdigest()
    sha256 = input_sha256(ANALYSE_KIND, session.pk, view, photo_sha256)
    existing = live_job(actor.clinic_id or 0, ANALYSE_KIND, sha256)
    if existing is not None:
        return existing
    staged = default_storage.save(
        f"posture/staged/{uuid.uuid4().hex}.{_EXTENSIONS[image_format]}", ContentFile(data)
    )
    try:
        job = submit(
            actor,
            ANALYSE_KIND,
            patient=session.patient,
            input_sha256=sha256,
            payload={
                "session_id": session.pk,
                "view": view,
                "staged_name": staged,
                "photo_sha256": photo_sha256,
                "back_url": reverse("posture:session", args=[session.pk]),
            },
        )
    except BaseException:
        default_storage.delete(staged)
        raise
    if getattr(job, "reused", False):
        default_storage.delete(staged)
    return job


def add_shot(
    actor: Actor,
    session: PostureSession,
    view: str,
    data: bytes,
    photo: Photo,
    detected: tuple[list[dict[str, Any]], str, str] | None = None,
) -> PostureShot:
    """Store a photo already validated by ``load_photo``, with the model's landmarks.

    The model runs before the transaction (it needs no lock), unless the caller ran it already
    (``detected``, what ``detect`` returned). The file is written inside it and removed again if
    anything after fails, so nothing is half stored.
    """
    points, note, detector = detected if detected is not None else detect(photo, view)
    tilt = _vertical_tilt(photo)
    stored_name = ""
    try:
        with transaction.atomic():
            shot = PostureShot(
                session=session,
                view=view,
                image_format=photo.format,
                width=photo.width,
                height=photo.height,
                sha256=hashlib.sha256(data).hexdigest(),
                detection_note=note,
                detector=detector,
                vertical_tilt_deg=tilt,
                created_by=actor.user,
            )
            shot.image.save(f"photo.{_EXTENSIONS[photo.format]}", ContentFile(data), save=False)
            stored_name = shot.image.name or ""
            shot.save()
            revision = shot.revisions.create(
                number=1,
                source=LandmarkSource.MODEL,
                landmarks=points,
                created_by=None,
            )
            _cache_metrics(shot, revision)
            log_access(
                actor,
                Action.CREATE,
                patient=session.patient,
                obj=shot,
                detail=f"{view} photo, {len(points)} model landmarks",
            )
    except BaseException:
        if stored_name:
            shot.image.storage.delete(stored_name)
        raise
    return shot


def _vertical_tilt(photo: Photo) -> float | None:
    """The background's lean (``vertical_tilt_deg``), rounded; ``None`` when it cannot tell."""
    try:
        tilt = vertical_tilt_deg(photo.rgb)
    except Exception:  # a heuristic never stops a photo from being stored
        logger.exception("vertical tilt check failed")
        return None
    return None if tilt is None else round(tilt, 2)


def _cache_metrics(shot: PostureShot, revision: LandmarkRevision) -> None:
    shot.metrics = metrics_to_json(compute(shot, revision))
    shot.metrics_algorithm = core.ALGORITHM.label
    shot.save(update_fields=["metrics", "metrics_algorithm"])


@transaction.atomic
def save_landmarks(
    actor: Actor, shot: PostureShot, base_revision: int | None, posted: list[dict[str, Any]]
) -> LandmarkRevision | None:
    """Add a landmark revision from the posted points (``name``, ``x``, ``y``).

    A point that did not move keeps its source, visibility and history; a moved or new point
    becomes a clinician point marked with who moved it and when; a point left out is removed.
    Returns the new revision, or ``None`` when nothing changed. Raises ``StaleRevision`` when
    ``base_revision`` is not the latest.
    """
    # ``shot`` came through the door; the lock re-reads it through the door's scope (serialising
    # concurrent saves) and locks only the photo's row, not the joined patient and clinic.
    locked = shots_of_clinic(actor).select_for_update(of=("self",)).get(pk=shot.pk)
    latest = locked.revisions.order_by("-number").first()
    if base_revision is not None and latest is not None and base_revision != latest.number:
        raise StaleRevision
    previous = {p["name"]: p for p in (latest.landmarks if latest is not None else [])}
    now = timezone.now().isoformat(timespec="seconds")
    username = actor.username
    points: list[dict[str, Any]] = []
    moved: list[str] = []
    for item in posted:
        old = previous.get(item["name"])
        if (
            old is not None
            and abs(float(old["x"]) - item["x"]) <= UNMOVED_TOLERANCE_PX
            and abs(float(old["y"]) - item["y"]) <= UNMOVED_TOLERANCE_PX
        ):
            points.append(old)
            continue
        moved.append(item["name"])
        points.append(
            {
                "name": item["name"],
                "x": round(item["x"], 2),
                "y": round(item["y"], 2),
                "visibility": 1.0,
                "source": LandmarkSource.CLINICIAN.value,
                "uncertainty_px": None,
                "moved_by": username,
                "moved_at": now,
            }
        )
    removed = sorted(set(previous) - {p["name"] for p in posted})
    if not moved and not removed:
        return None
    revision = locked.revisions.create(
        number=(latest.number + 1) if latest else 1,
        source=LandmarkSource.CLINICIAN,
        landmarks=points,
        created_by=actor.user,
    )
    _cache_metrics(locked, revision)
    shot.metrics, shot.metrics_algorithm = locked.metrics, locked.metrics_algorithm
    detail = f"landmarks r{revision.number}: moved {', '.join(moved) or '-'}"
    if removed:
        detail += f"; removed {', '.join(removed)}"
    log_access(actor, Action.UPDATE, patient=shot.session.patient, obj=shot, detail=detail)
    return revision


@transaction.atomic
def set_calibration(actor: Actor, shot: PostureShot, data: dict[str, Any] | None) -> None:
    """Set (or with ``None`` clear) the shot's two-point calibration and recompute metrics."""
    values = data or {}
    shot.cal_x1, shot.cal_y1 = values.get("x1"), values.get("y1")
    shot.cal_x2, shot.cal_y2 = values.get("x2"), values.get("y2")
    shot.cal_distance_mm = values.get("distance_mm")
    shot.save(update_fields=["cal_x1", "cal_y1", "cal_x2", "cal_y2", "cal_distance_mm"])
    latest = shot.revisions.order_by("-number").first()
    if latest is not None:
        _cache_metrics(shot, latest)
    log_access(
        actor,
        Action.UPDATE,
        patient=shot.session.patient,
        obj=shot,
        detail="calibration set" if data else "calibration cleared",
    )


@transaction.atomic
def update_mdc_settings(
    actor: Actor, mdc95: dict[str, float], use_repeats: bool
) -> ClinicPostureSettings:
    """Store the acting admin's clinic's MDC95 values and the repeats switch (logged)."""
    clinic_id = actor.clinic_id
    if clinic_id is None:
        raise PermissionDenied
    settings, _created = ClinicPostureSettings.objects.select_for_update().get_or_create(
        clinic_id=clinic_id
    )
    settings.mdc95 = mdc95
    settings.use_repeats = use_repeats
    settings.save()
    names = ", ".join(sorted(mdc95)) or "-"
    log_access(
        actor,
        Action.UPDATE,
        patient=None,
        obj=settings,
        detail=f"posture MDC95 settings: {names}; repeats {'on' if use_repeats else 'off'}",
    )
    return settings
