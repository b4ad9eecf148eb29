"""Per-clinic API tokens for the partners' read-only FHIR API (docs/api.md).

A token is made by the clinic admin, shown once, and kept only as the SHA-256 of its secret. Why
a plain SHA-256 and not one of Django's password hashers: the secret is 256 random bits
(``secrets.token_urlsafe(32)``), so no dictionary or brute-force attack applies and a slow,
salted hash (PBKDF2's 10^6 rounds) would only add that cost to every API request; a plain
digest lets the token be found by an indexed lookup (as GitHub and PyPI keep their tokens).

The API acts as the token's creator (``Actor(creator, via="api")``): every read is logged under
their name with the token's name, and a token stops working when its creator's account is
switched off or leaves the clinic, as well as when it is revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    # The only scope there is: the API has no write interaction at all.
    READ = "read", _("Read only")


class ApiToken(models.Model):
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="+", verbose_name=_("clinic")
    )
    name = models.CharField(_("name"), max_length=80)
    purpose = models.CharField(_("purpose"), max_length=300)
    scope = models.CharField(
        _("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    # The first characters of the secret, shown in the list so a partner's token can be told
    # apart from the others (8 of its 43 characters: too few to help guess the rest).
    hint = models.CharField(_("starts with"), max_length=16)
    secret_sha256 = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # The access log names a token by its name: two live tokens of a clinic never share
            # one.
            models.UniqueConstraint(
                fields=["clinic", "name"],
                condition=Q(revoked_at__isnull=True),
                name="fhir_apitoken_live_name_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
