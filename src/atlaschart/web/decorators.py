"""View decorators shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Allow only signed-in members of a clinic with one of these roles (others get 403)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if getattr(user, "clinic_id", None) is None or getattr(user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def clinic_member_required(view: View) -> View:
    """Allow any signed-in member of a clinic (a superuser without one sees no patient data)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "clinic_id", None) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
