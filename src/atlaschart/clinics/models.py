from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Clinic(models.Model):
    """A clinic is the tenant: every query for patient data is scoped to one clinic."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in web addresses"), unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Last chart number handed out; incremented under a row lock (patients.services).
    chart_counter = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self) -> str:
        return self.name
