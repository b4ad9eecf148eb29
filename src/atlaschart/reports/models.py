"""The patient's consent to show their posture photos in a report they take home.

A separate consent from the intake's (personal and health data, PIPA art. 15 and 23): a photo of
the body is shown only when the patient agreed to it for this purpose. A withdrawal is recorded,
never deleted, so the record shows what was allowed when a report was made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PhotoConsent(models.Model):
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="photo_consents",
        verbose_name=_("patient"),
    )
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent to photos in reports")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_on is None
