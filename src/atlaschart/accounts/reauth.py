"""Re-authentication: when the session last proved its password (and second factor).

Set at sign-in and on the re-authentication page; ``RecentAuthenticationMiddleware`` asks again
before signing or exporting when it is older than ``REAUTH_MINUTES``.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

AUTHENTICATED_AT_KEY = "atlaschart_authenticated_at"


def mark(request: HttpRequest) -> None:
    request.session[AUTHENTICATED_AT_KEY] = time.time()


def is_recent(request: HttpRequest) -> bool:
    at = request.session.get(AUTHENTICATED_AT_KEY)
    return isinstance(at, int | float) and time.time() - at <= settings.REAUTH_MINUTES * 60


def referring_page(request: HttpRequest) -> str:
    """The same-site page a POST came from, else the home page."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


@receiver(user_logged_in)
def _mark_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark(request)
