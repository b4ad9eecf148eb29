"""Imaging records: study -> series -> instance, linked to a patient; stored pixel files are
content-addressed blobs (one file per sha256, however many instances point to it); landmarks and
upper cervical analyses keep their raw inputs (the record) and derived values (a cache)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.records import AppendOnlyModel
from atlaschart.measure.radiograph.listing import RuleTable, rule_table_from_dict


class Blob(models.Model):
    """One stored file under MEDIA_ROOT/imaging/blobs/, named by the sha256 of its bytes."""

    sha256 = models.CharField(max_length=64, unique=True)
    size_bytes = models.BigIntegerField()
    kind = models.CharField(
        max_length=10, choices=[("dicom", "DICOM"), ("png", "PNG"), ("jpeg", "JPEG")]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]

    @property
    def relative_path(self) -> str:
        return f"imaging/blobs/{self.sha256[:2]}/{self.sha256}"


class Study(models.Model):
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="imaging_studies",
        verbose_name=_("patient"),
    )
    study_instance_uid = models.CharField(_("study instance UID"), max_length=64)
    study_date = models.CharField(_("study date"), max_length=8, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_film = models.BooleanField(_("film scan"), default=False)
    file_patient_name = models.CharField(_("patient name in the file"), max_length=200, blank=True)
    file_patient_id = models.CharField(_("patient ID in the file"), max_length=64, blank=True)
    identity_confirmed = models.BooleanField(_("identity difference confirmed"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("imaging study")
        verbose_name_plural = _("imaging studies")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "study_instance_uid"], name="unique_study_per_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study_date or '-'} {self.study_instance_uid}"


class Series(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="series")
    series_instance_uid = models.CharField(max_length=64)
    modality = models.CharField(_("modality"), max_length=16, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_volume = models.BooleanField(default=False)
    # 3-D landmarks of a CBCT/CT volume: [{"name", "x_mm", "y_mm", "z_mm", "voxel": [k, row, col]}]
    landmarks_3d = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "series_instance_uid"], name="unique_series_per_study"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.modality} {self.series_instance_uid}"


class Projection(models.TextChoices):
    UNKNOWN = "", _("not recorded")
    AP = "AP", _("AP (anterior-posterior)")
    PA = "PA", _("PA (posterior-anterior)")
    LATERAL = "LAT", _("lateral")
    VERTEX = "VTX", _("vertex (base posterior)")


class ScreenSide(models.TextChoices):
    UNKNOWN = "", _("not recorded")
    LEFT = "left", _("viewer's left")
    RIGHT = "right", _("viewer's right")


class Instance(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="instances")
    sop_instance_uid = models.CharField(max_length=64)
    instance_number = models.IntegerField(null=True)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="instances")
    rows = models.PositiveIntegerField()
    columns = models.PositiveIntegerField()
    frames = models.PositiveIntegerField(default=1)
    transfer_syntax = models.CharField(max_length=80, blank=True)
    # Calibration (docs/radiograph.md): which attribute gave the spacing, and the magnification.
    spacing_source = models.CharField(max_length=20, default="none")
    row_spacing_mm = models.FloatField(null=True)
    col_spacing_mm = models.FloatField(null=True)
    magnification = models.FloatField(default=1.0)
    # Orientation as recorded by the clinician: projection and on which side of the stored image
    # (as stored, before any display flip) the patient's right lies.
    projection = models.CharField(
        _("projection"), max_length=3, choices=Projection.choices, blank=True
    )
    patient_right_on = models.CharField(
        _("patient's right is on the"),
        max_length=5,
        choices=ScreenSide.choices,
        blank=True,
    )
    # Named 2-D landmarks [{"name", "x", "y"}] in stored-image pixels (x right, y down).
    landmarks = models.JSONField(default=list)

    class Meta:
        ordering = ["instance_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "sop_instance_uid"], name="unique_instance_per_series"
            ),
        ]

    def __str__(self) -> str:
        return self.sop_instance_uid

    @property
    def calibrated(self) -> bool:
        return self.spacing_source != "none" and self.row_spacing_mm is not None


class ListingTable(AppendOnlyModel):
    """One version of a clinic's listing rule table (the core format of
    ``measure/radiograph/listing.py``). ``source`` is never changed after upload: a change is a
    new version, and an analysis keeps pointing at the version that proposed its listing. Only
    ``is_active`` changes; at most one table per clinic and view is active.

    The table is kept as JSON text, not a JSON column: PostgreSQL's jsonb reorders object keys,
    and the order of a rule's ``vector`` entries is the clinic's own (it is shown as written)."""

    mutable_fields = frozenset({"is_active"})

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="listing_tables"
    )
    table_id = models.CharField(_("table id"), max_length=60)
    version = models.CharField(_("version"), max_length=20)
    view = models.CharField(_("view"), max_length=10)
    source = models.TextField()
    is_active = models.BooleanField(_("active"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["view", "table_id", "-uploaded_at", "-id"]
        verbose_name = _("listing rule table")
        verbose_name_plural = _("listing rule tables")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "table_id", "version"], name="unique_listing_table_version"
            ),
            models.UniqueConstraint(
                fields=["clinic", "view"],
                condition=models.Q(is_active=True),
                name="one_active_listing_table_per_view",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.table_id}@{self.version}"

    @property
    def data(self) -> Any:
        """The table as uploaded (a dict, keys in the file's order)."""
        return json.loads(self.source)

    def rule_table(self) -> RuleTable:
        """The core's validated table (the stored data was validated on upload)."""
        return rule_table_from_dict(self.data)


class UCAnalysis(models.Model):
    """One upper cervical analysis of one view on one image. ``points`` is the record (the JSON
    landmark form of docs/radiograph.md, image pixels); ``values`` and ``warnings`` are recomputed
    from it by the core on every save and carry ``algorithm``."""

    instance = models.ForeignKey(Instance, on_delete=models.PROTECT, related_name="analyses")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="uc_analyses"
    )
    view = models.CharField(_("view"), max_length=10)
    profile_id = models.CharField(max_length=60)
    profile_version = models.CharField(max_length=20)
    algorithm = models.CharField(max_length=100)
    points = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    listing_source = models.CharField(max_length=12, default="clinician")
    listing = models.CharField(_("listing"), max_length=60, blank=True)
    vector = models.CharField(_("adjustment vector"), max_length=200, blank=True)
    # Provenance when listing_source == "rule-table": the table version and the rule (0-based).
    listing_table = models.ForeignKey(
        ListingTable, on_delete=models.PROTECT, null=True, blank=True, related_name="analyses"
    )
    listing_rule = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("upper cervical analysis")
        verbose_name_plural = _("upper cervical analyses")

    def __str__(self) -> str:
        return f"{self.view} {self.algorithm}"
