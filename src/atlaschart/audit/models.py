from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed in search results")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    ARCHIVE = "archive", _("archived")
    RESTORE = "restore", _("restored")
    EXPORT = "export", _("exported")
    SIGN = "sign", _("signed")
    AMEND = "amend", _("amended")


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an access log entry."""


class AccessLogEntry(models.Model):
    """One read or write of patient data (Personal Information Protection Act: access records).

    Rows are only ever inserted. ``save()`` refuses updates, ``delete()`` refuses, and on
    PostgreSQL a
    trigger refuses UPDATE and DELETE too (migration 0002).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, verbose_name=_("clinic"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    client_ip = models.CharField(_("client IP"), max_length=45, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("patient"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["clinic", "-at"]),
            models.Index(fields=["patient", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("access log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("access log entries cannot be deleted")
