"""Making, revoking and checking the partners' API tokens (model: models_tokens.ApiToken).

A token reads as ``atc_<43 characters>``; only its SHA-256 is stored (the model's docstring says
why that digest and not a password hasher). ``authenticate`` is the API's one way in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.lib.policy import Kind, Permission, allows

from .models_tokens import ApiToken

PREFIX = "atc_"
# last_used_at is written at most this often per token (one write a minute, not one a request).
TOUCH_EVERY = timedelta(seconds=60)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once to the admin who made it; never stored


class NameTaken(ValueError):
    """A live token of the clinic already has this name."""


def tokens_of_clinic(actor: Actor) -> QuerySet[ApiToken]:
    if actor.clinic_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(clinic_id=actor.clinic_id).select_related(
        "created_by", "revoked_by"
    )


def make_token(actor: Actor, name: str, purpose: str) -> NewToken:
    assert actor.user is not None and actor.clinic_id is not None
    secret = PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                clinic_id=actor.clinic_id,
                name=name,
                purpose=purpose,
                hint=secret[: len(PREFIX) + 8],
                secret_sha256=digest(secret),
                created_by=actor.user,
            )
            log_access(actor, Action.CREATE, patient=None, obj=token, detail="API token made")
    except IntegrityError as error:
        raise NameTaken(name) from error
    return NewToken(token, secret)


def revoke_token(actor: Actor, token_id: int) -> ApiToken | None:
    """Revoke one live token of the actor's clinic; None when there is no such live token (also
    for another clinic's)."""
    with transaction.atomic():
        token = (
            tokens_of_clinic(actor)
            .select_for_update(of=("self",))
            .filter(pk=token_id, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            return None
        token.revoked_at = timezone.now()
        token.revoked_by = actor.user
        token.save(update_fields=["revoked_at", "revoked_by"])
        log_access(actor, Action.UPDATE, patient=None, obj=token, detail="API token revoked")
    return token


class Refusal(Enum):
    """Why a request's token does not open the API (each answers 401)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    CREATOR_GONE = "creator_gone"


@dataclass(frozen=True)
class Checked:
    token: ApiToken | None
    refusal: Refusal | None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def authenticate(authorization: str) -> Checked:
    """The live token of an ``Authorization: Bearer ...`` header, or why there is none.

    Only the header counts: a token in the address would end up in proxies' and browsers' logs.
    """
    scheme, _sep, value = authorization.strip().partition(" ")
    if not authorization.strip():
        return Checked(None, Refusal.MISSING)
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(PREFIX) or len(value) > 200:
        return Checked(None, Refusal.MALFORMED)
    token = (
        ApiToken.objects.select_related("created_by", "created_by__clinic", "clinic")
        .filter(secret_sha256=digest(value))
        .first()
    )
    if token is None:
        return Checked(None, Refusal.UNKNOWN)
    if token.revoked_at is not None:
        return Checked(token, Refusal.REVOKED)
    creator = token.created_by
    # The API acts as the creator: a creator switched off, moved to another clinic or no longer
    # allowed to keep tokens takes the token's power with them.
    if (
        not creator.is_active
        or creator.clinic_id != token.clinic_id
        or not allows(creator, Kind.API_TOKEN, Permission.READ)
    ):
        return Checked(token, Refusal.CREATOR_GONE)
    return Checked(token, None)


def actor_of(token: ApiToken, client_ip: str) -> Actor:
    return Actor(user=token.created_by, client_ip=client_ip, via="api")


def touch(token: ApiToken) -> None:
    """Note the token's use (at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
