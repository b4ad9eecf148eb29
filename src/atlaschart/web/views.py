from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """Start page: clinicians start at today's appointments, other staff at the patient list."""
    if getattr(request.user, "clinic_id", None) is None:
        return render(request, "web/no_clinic.html", status=403)
    if getattr(request.user, "role", None) == "clinician":
        return redirect("visits:today")
    return redirect("patients:list")


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
