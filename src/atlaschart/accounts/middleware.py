from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation


class _PassThrough:
    """A middleware that acts only in ``process_view``: the request otherwise passes through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class UserLanguageMiddleware:
    """Activates the signed-in user's saved language, so the choice follows them to any device."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


class TwoFactorMiddleware(_PassThrough):
    """Sends a signed-in user who still owes their second factor to the verification page.

    Pages open to anyone (``login_not_required``: the public intake) and the pages needed to pass
    the second factor or leave stay reachable.
    """

    ALLOWED_VIEWS = frozenset(
        {
            "accounts:two_factor",
            "accounts:two_factor_verify",
            "accounts:two_factor_enrol",
            "accounts:logout",
            "accounts:set_language",
            "accounts:login",
        }
    )

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        from atlaschart.accounts import two_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED_VIEWS:
            return None
        needs = request.session.get(two_factor.NEEDS_SECOND_FACTOR_KEY)
        if needs is None:  # a session from before this rule: decide once, then remember
            needs = two_factor.needs_second_factor(user)
            request.session[two_factor.NEEDS_SECOND_FACTOR_KEY] = needs
        if not needs:
            return None
        if request.method != "GET" or request.headers.get("Accept", "").startswith(
            "application/json"
        ):
            # A background request must not be answered with a page; it simply may not pass.
            return HttpResponse(status=403)
        return redirect_to_login(
            request.get_full_path(), reverse("accounts:two_factor"), REDIRECT_FIELD_NAME
        )


class RecentAuthenticationMiddleware(_PassThrough):
    """Asks for the password again before the views named in ``REAUTH_VIEWS`` (signing a note,
    exporting records) when the last password check of this session is older than
    ``REAUTH_MINUTES``: a session left open at a shared desk cannot sign or take data away.

    The list lives in the settings, not on the views, so the rule is one place to read.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        from django.conf import settings

        from atlaschart.accounts import reauth

        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None:
            return None
        if match.view_name not in settings.REAUTH_VIEWS or reauth.is_recent(request):
            return None
        # After a POST, come back to the page the button was on (a redirect cannot repeat a POST).
        back = (
            request.get_full_path() if request.method == "GET" else reauth.referring_page(request)
        )
        return redirect_to_login(back, reverse("accounts:reauth"), REDIRECT_FIELD_NAME)
