"""Second factor at sign-in: TOTP (an authenticator app) with single-use recovery codes.

Built on django-otp's devices and its session marker (``request.user.is_verified()``). Whether a
user must use one is the clinic's policy (``ClinicSecurityPolicy``), else the
``TWO_FACTOR_REQUIRED_ROLES`` setting. The demo clinics are exempt only while ``DEBUG`` is on, so
``make run`` stays two commands away and production never skips it.

The decision is taken once at sign-in and kept in the session, so ordinary pages pay no query for
it; enrolment and an admin's reset update it.
"""

from __future__ import annotations

import io
import time
from base64 import b32encode
from typing import Any

import qrcode.image.svg
import qrcode.main
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from atlaschart.accounts.models import ClinicSecurityPolicy, User
from atlaschart.lib.http import LAST_SEEN_KEY

# Session key: True when this session must pass the second factor before any page.
NEEDS_SECOND_FACTOR_KEY = "atlaschart_needs_second_factor"
RECOVERY_CODE_COUNT = 10


def _demo_clinic_slugs() -> set[str]:
    from atlaschart.clinics.demo import CLINICS

    return {slug for slug, *_rest in CLINICS}


def required_for(user: User) -> bool:
    """Must this user sign in with a second factor?"""
    clinic = user.clinic
    if clinic is not None and settings.DEBUG and clinic.slug in _demo_clinic_slugs():
        return False
    policy = (
        ClinicSecurityPolicy.objects.filter(clinic_id=user.clinic_id).first()
        if user.clinic_id is not None
        else None  # no clinic, no clinic policy (the policy's clinic is required)
    )
    if policy is not None:
        return policy.requires_two_factor(user.role)
    return user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user: User) -> bool:
    """A user who has set up a second factor uses it, whether or not the policy requires it."""
    return user_has_device(user, confirmed=True) or required_for(user)


@receiver(user_logged_in)
def _decide_at_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[NEEDS_SECOND_FACTOR_KEY] = needs_second_factor(user)
        # The idle clock starts at sign-in, so the first page does not write the session.
        request.session[LAST_SEEN_KEY] = time.time()


def pending_authenticator(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user, kept across page reloads)."""
    # django-otp's DeviceManager is untyped: name what its queries give.
    device: TOTPDevice | None = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="AtlasChart", confirmed=False)
    return device


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four for typing into an app by hand."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.main.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; the plain codes are shown once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def confirm_authenticator(device: TOTPDevice, token: str) -> bool:
    """Confirm a pending authenticator with a code from the app; older ones are replaced."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def verify_any(user: User, token: str) -> Any | None:
    """The confirmed device (authenticator or recovery codes) that accepts this code, if any.

    Each device throttles its own failures (django-otp: the wait doubles after each wrong code).
    """
    token = token.strip().replace(" ", "")
    if not token or len(token) > 16:
        return None
    for device in devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            return device
    return None


def reset_devices(user: User) -> None:
    """An admin's reset: the user sets up a new authenticator at their next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
