"""Middleware for the session and browser policies of docs/security.md.

- ``IdleTimeoutMiddleware``: a signed-in session ends after ``SESSION_IDLE_MINUTES`` without a
  request; the login page then says why.
- ``SecurityHeadersMiddleware``: ``Cache-Control: no-store`` on every response to a signed-in
  user (every such page may show patient data, and a shared clinic computer keeps its cache), and
  a Permissions-Policy that denies camera, microphone and location except the camera on the pages
  named in ``CAMERA_VIEWS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from atlaschart.lib.http import LAST_SEEN_KEY, SIGNED_OUT_IDLE_KEY

# The session is written at most this often just to move the idle clock (one write per minute of
# activity rather than one per request).
_TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.SESSION_IDLE_MINUTES * 60
            if isinstance(last_seen, int | float) and now - last_seen > idle_limit:
                logout(request)
                # logout() flushed the session; the new, anonymous one carries the reason to the
                # login page.
                request.session[SIGNED_OUT_IDLE_KEY] = True
            elif not isinstance(last_seen, int | float) or now - last_seen > _TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _permissions_policy(camera_allowed: bool) -> str:
    camera = "camera=(self)" if camera_allowed else "camera=()"
    return ", ".join(
        [camera, "microphone=()", "geolocation=()", "payment=()", "usb=()", "interest-cohort=()"]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
            response.headers.pop("Last-Modified", None)
        match = getattr(request, "resolver_match", None)
        camera_allowed = match is not None and match.view_name in settings.CAMERA_VIEWS
        response.headers.setdefault("Permissions-Policy", _permissions_policy(camera_allowed))
        return response
