"""The clinician's own calendar-feed page and the feed itself (docs/api.md, "Calendar feed")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from atlaschart.lib.actor import Actor
from atlaschart.lib.client import client_ip
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required

from . import services


def _page(request: AuthenticatedHttpRequest, new_url: str = "") -> HttpResponse:
    return render(
        request,
        "calendarfeed/settings.html",
        {
            "feed": services.active_feed(request.user),
            "new_url": new_url,
            "days_back": services.DAYS_BACK,
            "weeks_ahead": services.DAYS_AHEAD // 7,
        },
    )


@require_safe
@permission_required(Kind.CALENDAR_FEED, Permission.READ)
def feed_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@permission_required(Kind.CALENDAR_FEED, Permission.WRITE)
def feed_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a new address and show it this once (the page is not cached: no-store)."""
    made = services.make_feed(Actor.of(request))
    url = request.build_absolute_uri(reverse("calendarfeed:feed", args=[made.secret]))
    return _page(request, new_url=url)


@require_POST
@permission_required(Kind.CALENDAR_FEED, Permission.WRITE)
def feed_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    if services.revoke_feed(Actor.of(request)):
        messages.success(request, _("The calendar address no longer works."))
    else:
        messages.info(request, _("You had no calendar address to revoke."))
    return redirect("calendarfeed:settings")


@login_not_required
@require_safe
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The iCalendar feed. An unknown or revoked address is a plain 404, the same for both."""
    found = services.feed_of_secret(secret)
    if found is None:
        return HttpResponse("Not found\n", status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        services.read_feed(found, client_ip(request)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="atlaschart.ics"'
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
