"""Studies the DICOM receiver could not match to a chart, held until a person confirms the patient.

A held item keeps what the machine sent exactly as received (patient ID, name, birth date, study
description, modality), the calling AE title and address, and its files in the media storage
with their sha256. Confirming marks it "being imported" and a background job imports the files
through the same import as a web upload; discarding removes them. The row stays (state imported
or discarded), so the inbox's history is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboxState(models.TextChoices):
    HELD = "held", _("waiting for a patient")
    IMPORTING = "importing", _("being imported")
    IMPORTED = "imported", _("imported")
    DISCARDED = "discarded", _("discarded")


class HeldReason(models.TextChoices):
    NO_CHART = "no_chart", _("No chart has this patient ID.")
    IDENTITY_DIFFERS = "identity_differs", _("The name differs from the chart with this ID.")
    NO_PATIENT_ID = "no_patient_id", _("The files carry no patient ID.")
    IMPORT_REFUSED = "import_refused", _("The import refused the files.")


class InboxItem(models.Model):
    """One study received over the network and held for a person to confirm its patient."""

    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        related_name="imaging_inbox",
        verbose_name=_("clinic"),
    )
    # The folder of the item's files in the media storage: dicom-inbox/<clinic id>/<key>/.
    key = models.CharField(max_length=32, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    calling_ae = models.CharField(_("sending machine (AE title)"), max_length=16, blank=True)
    peer_address = models.CharField(_("sending address"), max_length=64, blank=True)
    patient_id_received = models.CharField(_("patient ID in the files"), max_length=64, blank=True)
    patient_name_received = models.CharField(
        _("patient name in the files"), max_length=200, blank=True
    )
    birth_date_received = models.CharField(_("birth date in the files"), max_length=8, blank=True)
    study_instance_uid = models.CharField(_("study instance UID"), max_length=64)
    study_date = models.CharField(_("study date"), max_length=8, blank=True)
    study_description = models.CharField(_("study description"), max_length=200, blank=True)
    modality = models.CharField(_("modality"), max_length=64, blank=True)
    # [{"name": file name in the folder, "sha256", "sop_instance_uid", "size_bytes"}]
    files = models.JSONField(_("files"), default=list)
    reason = models.CharField(_("why it is held"), max_length=20, choices=HeldReason.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=InboxState.choices, default=InboxState.HELD
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported into the chart of"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or discarded by"),
    )
    resolved_at = models.DateTimeField(_("confirmed or discarded at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("imaging inbox item")
        verbose_name_plural = _("imaging inbox items")
        indexes = [models.Index(fields=["clinic", "state", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.patient_name_received or '?'} · {self.study_date or '?'}"

    @property
    def image_count(self) -> int:
        return len(self.files)

    @property
    def birth_date_display(self) -> str:
        """A DICOM date (YYYYMMDD) written as YYYY-MM-DD; anything else as received."""
        d = self.birth_date_received
        return f"{d[:4]}-{d[4:6]}-{d[6:]}" if len(d) == 8 and d.isdigit() else d

    @property
    def study_date_display(self) -> str:
        d = self.study_date
        return f"{d[:4]}-{d[4:6]}-{d[6:]}" if len(d) == 8 and d.isdigit() else d
