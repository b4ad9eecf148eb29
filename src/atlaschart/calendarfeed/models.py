"""A clinician's secret calendar address (an iCalendar feed of their own appointments).

Only the SHA-256 of the secret is kept: the address is shown once, when it is made. Why not one
of Django's password hashers: the secret is 256 random bits (``secrets.token_urlsafe(32)``), so
no dictionary or brute-force attack applies and a slow, salted hash adds nothing; a plain digest
lets the feed be found by an indexed lookup on each read (as GitHub and PyPI store their
tokens).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="calendar_feeds",
        verbose_name=_("clinician"),
    )
    secret_sha256 = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
