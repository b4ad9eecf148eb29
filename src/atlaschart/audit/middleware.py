"""Denied attempts go into the access log (PIPA: access records include refused access)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from atlaschart.audit.services import log_denied
from atlaschart.lib.access import RecordNotFound


class DeniedAccessLogMiddleware:
    """Log a ``denied`` row when a view refuses: ``PermissionDenied`` (the role policy's 403) or
    ``RecordNotFound`` (the door's 404 for a record not in the user's clinic).

    Only these two: a plain ``Http404`` (no such page) is not an attempt on someone's data. The
    exception is left to Django's handlers, so the user sees the usual 403 or 404 page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied | RecordNotFound):
            log_denied(request)
