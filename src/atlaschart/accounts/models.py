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

    objects = UserManager()  # type: ignore[misc]  # django-stubs: a ClassVar on AbstractUser

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class SignInThrottle(models.Model):
    """Failed sign-in attempts for one key (a username's digest or a client IP) in a fixed window.

    A row, not a cache entry, so that the count is taken under a row lock: an attempt is counted
    *before* the password is checked, and refused when the count is spent (ratelimit.py).
    """

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    # Indexed for the sweep of ended windows (ratelimit.begin_attempt).
    window_started = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set for a username key when that username belongs to a member of staff, so their clinic's
    # admin can see and lift the lock; unknown usernames keep only their digest.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    last_ip = models.CharField(max_length=45, blank=True)

    class Meta:
        verbose_name = _("sign-in throttle")

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class ClinicSecurityPolicy(models.Model):
    """A clinic's sign-in rules: which roles must use a second factor."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="security_policy")
    two_factor_admin = models.BooleanField(_("clinic admins need a second factor"), default=True)
    two_factor_clinician = models.BooleanField(_("clinicians need a second factor"), default=True)
    two_factor_front_desk = models.BooleanField(
        _("front desk staff need a second factor"), default=False
    )

    class Meta:
        verbose_name = _("clinic security policy")

    def __str__(self) -> str:
        return f"sign-in policy of clinic {self.clinic_id}"

    def requires_two_factor(self, role: str) -> bool:
        by_role: dict[str, bool] = {
            Role.CLINIC_ADMIN: self.two_factor_admin,
            Role.CLINICIAN: self.two_factor_clinician,
            Role.FRONT_DESK: self.two_factor_front_desk,
        }
        return by_role.get(role, True)
