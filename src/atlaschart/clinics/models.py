from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

AE_TITLE_MAX_LENGTH = 16  # DICOM PS3.5 6.2: an AE title is at most 16 characters


def default_ae_title(slug: str) -> str:
    """The AE title a clinic gets unless set: its slug in capitals, cut to 16 characters."""
    return slug.upper()[:AE_TITLE_MAX_LENGTH].strip()


class Clinic(models.Model):
    """A clinic is the tenant: every query for patient data is scoped to one clinic."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in web addresses"), unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Last chart number handed out; incremented under a row lock (patients.services).
    chart_counter = models.PositiveIntegerField(default=0, editable=False)
    # The called AE title the clinic's X-ray and CBCT machines send to (docs/dicom_receiver.md).
    ae_title = models.CharField(
        _("DICOM AE title"),
        max_length=AE_TITLE_MAX_LENGTH,
        unique=True,
        blank=True,
        help_text=_(
            "Called AE title for the clinic's imaging machines; defaults to the short name."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.ae_title:
            self.ae_title = default_ae_title(self.slug)
        super().save(*args, **kwargs)
