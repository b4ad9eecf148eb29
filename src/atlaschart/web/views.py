from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from atlaschart.lib.access import log_shown
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, allows, permission_required
from atlaschart.lib.presenting import RecordOnPage

if TYPE_CHECKING:
    from atlaschart.intake.models import IntakeLink

# How far back the intake-links page looks: a link lives hours to days (intake settings), so two
# weeks shows every open one and the recent answers without becoming a second patient list.
INTAKE_LINKS_DAYS = 14
INTAKE_LINKS_SHOWN = 100


def home(request: HttpRequest) -> HttpResponse:
    """Start page: every role starts at today's appointments (the policy lets all of them list
    appointments); a role that may not falls back to the patient list."""
    if getattr(request.user, "clinic_id", None) is None:
        return render(request, "web/no_clinic.html", status=403)
    if allows(request.user, Kind.APPOINTMENT, Permission.LIST):
        return redirect("visits:today")
    return redirect("patients:list")


@permission_required(Kind.CLINIC_SETTINGS, Permission.READ)
def settings_hub(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic admin's one settings page: a link to every admin page, grouped by purpose.

    The template asks ``can.*`` for each link, so a role given settings but not (say) staff
    still sees no link that answers 403."""
    return render(request, "web/settings_hub.html")


@dataclass(frozen=True)
class LinkOnPage(RecordOnPage):
    """An intake link as the links page lists it: the link and its state (answered, expired or
    open). The template reads the link's own fields through it."""

    link: IntakeLink
    state: str

    record_field = "link"


@permission_required(Kind.INTAKE_STATUS, Permission.LIST)
def intake_links(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The front desk's view of the intake and follow-up links sent lately: who, when, and whether
    answered, open or expired. Status only: the answers stay behind the clinical pages."""
    from atlaschart.intake.access import intake_links_of_clinic

    since = timezone.now() - timedelta(days=INTAKE_LINKS_DAYS)
    links = list(
        intake_links_of_clinic(request)
        .filter(created_at__gte=since)
        .select_related("patient")
        .order_by("-created_at")[:INTAKE_LINKS_SHOWN]
    )
    now = timezone.now()
    rows = [
        LinkOnPage(
            link=link,
            state="answered"
            if link.submitted_at
            else ("expired" if link.expires_at <= now else "open"),
        )
        for link in links
    ]
    log_shown(request, {link.patient for link in links}, detail="intake links")
    return render(request, "web/intake_links.html", {"links": rows, "days": INTAKE_LINKS_DAYS})


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for a load balancer or uptime monitor."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "web/500.html", status=500)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "web/csrf_failure.html", status=403)
