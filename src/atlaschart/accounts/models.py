from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from atlaschart.clinics.models import Clinic


class Role(models.TextChoices):
    CLINIC_ADMIN = "admin", _("Clinic admin")
    CLINICIAN = "clinician", _("Clinician")
    FRONT_DESK = "front_desk", _("Front desk")


class User(AbstractUser):
    """A member of staff. Belongs to exactly one clinic, with one role there.

    Superusers created from the command line may have no clinic; they can reach no patient data.
    """

    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("clinic"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Language of the pages; empty means the browser's language."),
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_clinic_admin(self) -> bool:
        return self.clinic_id is not None and self.role == Role.CLINIC_ADMIN

    @property
    def is_clinician(self) -> bool:
        return self.clinic_id is not None and self.role == Role.CLINICIAN

    @property
    def is_front_desk(self) -> bool:
        return self.clinic_id is not None and self.role == Role.FRONT_DESK
