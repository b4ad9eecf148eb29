from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from atlaschart.accounts.models import Role
from atlaschart.audit.forms import AccessLogFilterForm
from atlaschart.audit.models import AccessLogEntry
from atlaschart.web.decorators import role_required

PAGE_SIZE = 100


@role_required(Role.CLINIC_ADMIN)
def access_log(request: HttpRequest) -> HttpResponse:
    """The clinic's access log, newest first, filterable. Read-only: the app cannot edit it."""
    entries = AccessLogEntry.objects.filter(
        clinic_id=request.user.clinic_id  # type: ignore[union-attr]
    ).select_related("patient", "user")
    form = AccessLogFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            entries = entries.filter(username__icontains=data["username"])
        if data["chart_number"]:
            entries = entries.filter(patient__chart_number=data["chart_number"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["ip"]:
            entries = entries.filter(client_ip__startswith=data["ip"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            entries = entries.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
        if data["date_to"]:
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz)
            entries = entries.filter(at__lt=end)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/access_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
