"""Posture sessions, their photos and the landmarks placed on them.

The record is the photo and its landmark revisions; metrics are a cache tagged with the algorithm
that computed them (recomputable from the latest revision at any time).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class View(models.TextChoices):
    # Values equal atlaschart.measure.posture.View.
    ANTERIOR = "anterior", _("Anterior")
    POSTERIOR = "posterior", _("Posterior")
    LEFT = "left", _("Left lateral")
    RIGHT = "right", _("Right lateral")


class PostureSession(models.Model):
    """One sitting in which posture photos of a patient were taken."""

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="posture_sessions",
        verbose_name=_("patient"),
    )
    taken_on = models.DateField(_("date"))
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("clinician"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("posture session")
        verbose_name_plural = _("posture sessions")
        indexes = [models.Index(fields=["patient", "-taken_on"])]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.taken_on:%Y-%m-%d}"


def _photo_path(instance: PostureShot, filename: str) -> str:
    # A random name: the path must not reveal the patient, and is never served directly.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"posture/{uuid.uuid4().hex}.{ext}"


class PostureShot(models.Model):
    """One photo of one view. The file lives under MEDIA_ROOT and is served only by a view that
    goes through the access helper."""

    session = models.ForeignKey(
        PostureSession,
        on_delete=models.PROTECT,
        related_name="shots",
        verbose_name=_("session"),
    )
    view = models.CharField(_("view"), max_length=12, choices=View.choices)
    image = models.FileField(_("photo"), upload_to=_photo_path, max_length=200)
    image_format = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Why the model gave no landmarks (not installed, no person found); blank when it did.
    detection_note = models.CharField(max_length=200, blank=True)
    # Provenance of the model landmarks (revision 1): model, version and pass set, e.g.
    # "mediapipe-pose-full@0.10.21+tta-rot0-10step2-mirror-mean@2"; blank if the model did not run.
    detector = models.CharField(max_length=80, blank=True)
    # Lean of the background's near-vertical lines, degrees, positive when their tops lean to
    # the image's right (imaging.photos.vertical_tilt_deg); null when the photo showed none.
    # A sign of a tilted camera: the shot page warns beyond TILT_WARNING_DEG.
    vertical_tilt_deg = models.FloatField(null=True, blank=True)
    # Optional calibration: two points (image pixels) a known distance apart.
    cal_x1 = models.FloatField(null=True, blank=True)
    cal_y1 = models.FloatField(null=True, blank=True)
    cal_x2 = models.FloatField(null=True, blank=True)
    cal_y2 = models.FloatField(null=True, blank=True)
    cal_distance_mm = models.FloatField(null=True, blank=True)
    # Cache of the metrics of the latest landmark revision, and the algorithm that made them.
    metrics = models.JSONField(default=dict)
    metrics_algorithm = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "view", "id"]
        verbose_name = _("posture photo")
        verbose_name_plural = _("posture photos")

    def __str__(self) -> str:
        return f"{self.session_id} {self.view} #{self.pk}"

    @property
    def has_calibration(self) -> bool:
        return self.cal_distance_mm is not None


class LandmarkSource(models.TextChoices):
    MODEL = "model", _("Pose model")
    CLINICIAN = "clinician", _("Clinician")


class LandmarkRevision(models.Model):
    """The full landmark set of a shot at one moment. Saving adds a revision; none is overwritten.

    ``landmarks`` is a list of ``{"name", "x", "y", "visibility", "source", "uncertainty_px",
    "moved_by", "moved_at"}`` in image pixels (x right, y down), patient's left/right names.
    """

    shot = models.ForeignKey(
        PostureShot,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=12, choices=LandmarkSource.choices)
    landmarks = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shot", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["shot", "number"], name="posture_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.shot_id} r{self.number}"


class ClinicPostureSettings(models.Model):
    """A clinic's MDC95 values per metric (``{metric: value}``), overriding the core's defaults
    and the values computed from the clinic's repeated shots."""

    clinic = models.OneToOneField(
        "clinics.Clinic",
        on_delete=models.CASCADE,
        related_name="posture_settings",
    )
    mdc95 = models.JSONField(default=dict, blank=True)
    use_repeats = models.BooleanField(
        _("use the clinic's repeated shots"),
        default=True,
        help_text=_("Compute MDC95 from sessions with two or more photos of the same view."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"posture settings of clinic {self.clinic_id}"

    def as_dict(self) -> dict[str, Any]:
        return {"mdc95": dict(self.mdc95), "use_repeats": self.use_repeats}
