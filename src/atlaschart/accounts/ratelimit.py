"""Sign-in rate limit: failed attempts counted per username and per client IP, in the database.

Each attempt takes one unit of the allowance *before* the password is checked, under a row lock
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers). So
when 40 attempts arrive at once, at most ``LOGIN_FAILURE_LIMIT`` of them reach the password
check. A successful sign-in clears the username's count and gives back its one unit of the IP's
allowance; every other outcome (wrong password, empty password, invalid form) keeps it counted.

Why not django-axes: axes counts a failure after the password check, so simultaneous attempts all
pass its "is this locked?" test first; measured 40 of 40 checked (docs/security.md).

The window is fixed: ``LOGIN_FAILURE_LIMIT`` failures of one username
(``LOGIN_FAILURE_LIMIT_PER_IP`` from one address) within ``LOGIN_FAILURE_WINDOW_SECONDS`` of the
first one lock the key until the window ends (or a clinic admin lifts the lock).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from atlaschart.accounts.models import SignInThrottle, User


def username_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()
    return f"user:{digest[:40]}"


def ip_key(ip: str) -> str:
    return f"ip:{ip}"


def _limit(key: str) -> int:
    if key.startswith("ip:"):
        return int(settings.LOGIN_FAILURE_LIMIT_PER_IP)
    return int(settings.LOGIN_FAILURE_LIMIT)


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _expired(row: SignInThrottle, now: datetime) -> bool:
    return row.window_started is None or row.window_started + _window() <= now


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt's reservation: the keys whose allowance it took."""

    allowed: bool
    keys: tuple[str, ...]


def begin_attempt(ip: str, username: str) -> Attempt:
    """Count this attempt as a failure now; ``allowed`` is False when a key's allowance is spent."""
    keys = sorted({ip_key(ip), *([username_key(username)] if username.strip() else [])})
    now = timezone.now()
    with transaction.atomic():
        SignInThrottle.objects.bulk_create(
            [SignInThrottle(key=key) for key in keys], ignore_conflicts=True
        )
        # Locked in key order, so two attempts never wait on each other's second row.
        rows = list(SignInThrottle.objects.select_for_update().filter(key__in=keys).order_by("key"))
        for row in rows:
            if _expired(row, now):
                row.failures = 0
                row.window_started = now
        if any(row.failures >= _limit(row.key) for row in rows):
            for row in rows:
                row.save(update_fields=["failures", "window_started"])
            return Attempt(allowed=False, keys=())
        staff = (
            User.objects.filter(username__iexact=username.strip()).first()
            if username.strip()
            else None
        )
        for row in rows:
            row.failures += 1
            if row.key.startswith("user:"):
                row.user = staff
                row.last_ip = ip
            row.save()
    _forget_ended_windows(now)
    return Attempt(allowed=True, keys=tuple(keys))


def _forget_ended_windows(now: datetime) -> None:
    """Drop rows whose window has ended: a spray of made-up usernames must not grow the table."""
    SignInThrottle.objects.filter(window_started__lt=now - _window()).delete()


def attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: forget the username's failures, give back the IP's unit."""
    for key in attempt.keys:
        if key.startswith("user:"):
            SignInThrottle.objects.filter(key=key).delete()
        else:
            SignInThrottle.objects.filter(key=key, failures__gt=0).update(
                failures=F("failures") - 1
            )


def locked_throttles() -> QuerySet[SignInThrottle]:
    """Username keys whose allowance is spent and whose window has not ended."""
    return SignInThrottle.objects.filter(
        key__startswith="user:",
        failures__gte=settings.LOGIN_FAILURE_LIMIT,
        window_started__gt=timezone.now() - _window(),
    )


def locked_until(row: SignInThrottle) -> datetime | None:
    return row.window_started + _window() if row.window_started else None


def lift_lock(row: SignInThrottle) -> None:
    """Lift a username's lock and the lock of the address its last failure came from.

    The address is lifted too because the usual lock is a colleague mistyping at the clinic's
    own desk: the username's lock alone would leave the desk's address locked.
    """
    with transaction.atomic():
        keys = Q(pk=row.pk)
        if row.last_ip:
            keys |= Q(key=ip_key(row.last_ip))
        SignInThrottle.objects.filter(keys).delete()
