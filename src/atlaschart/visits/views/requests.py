"""Consultation requests: the public page a prospective patient fills in (throttled), and
the front desk's list, conversion into a patient and booking, and decline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.clinics.models import Clinic
from atlaschart.lib.actor import Actor
from atlaschart.lib.client import client_ip
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.visits import services
from atlaschart.visits.access import (
    consultation_requests_of_clinic,
    get_consultation_request_for_user,
    log_requests_shown,
)
from atlaschart.visits.forms import (
    ConsultationForm,
    ConvertForm,
    form_token,
)
from atlaschart.visits.models import (
    ClinicProfile,
    RequestStatus,
)
from atlaschart.visits.views.common import clinic_id_of

PUBLIC_LIMIT = 5
PUBLIC_WINDOW_SECONDS = 60 * 60


def _throttled(request: HttpRequest, slug: str) -> bool:
    """Count this POST against the client's IP: more than 5 an hour are refused."""
    key = f"consult:{slug}:{client_ip(request)}"
    if cache.add(key, 1, timeout=PUBLIC_WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=PUBLIC_WINDOW_SECONDS)
        return False
    return count > PUBLIC_LIMIT


@login_not_required
def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    clinic = get_object_or_404(Clinic, slug=slug)
    profile = ClinicProfile.objects.filter(clinic=clinic).first()
    if profile is not None and not profile.public_page_enabled:
        raise Http404("No public page")
    status = 200
    if request.method == "POST":
        if _throttled(request, slug):
            return render(request, "visits/public_throttled.html", {"clinic": clinic}, status=429)
        form = ConsultationForm(request.POST, token=request.POST.get("token", ""))
        if form.is_valid():
            services.submit_consultation_request(clinic.pk, form.request_data())
            return render(request, "visits/public_thanks.html", {"clinic": clinic})
        status = 400
    else:
        form = ConsultationForm()
    # A fresh signed start time each time the form is shown.
    context = {"clinic": clinic, "profile": profile, "form": form, "token": form_token()}
    return render(request, "visits/public.html", context, status=status)


@permission_required(Kind.CONSULTATION_REQUEST, Permission.LIST)
def requests_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = list(
        consultation_requests_of_clinic(request)
        .filter(status=RequestStatus.NEW)
        .select_related("patient")[:200]
    )
    log_requests_shown(request, items)
    return render(request, "visits/requests.html", {"items": items})


@permission_required(Kind.CONSULTATION_REQUEST, Permission.WRITE)
def request_convert(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    consultation = get_consultation_request_for_user(request, request_id, detail="convert form")
    form = ConvertForm(
        request.POST or None,
        clinic_id=clinic_id_of(request),
        initial={
            "name": consultation.name,
            "phone": consultation.contact if "@" not in consultation.contact else "",
            "note": consultation.preferred_time,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        patient_data = {"name": d["name"], "date_of_birth": d["date_of_birth"], "phone": d["phone"]}
        if "@" in consultation.contact:
            patient_data["email"] = consultation.contact
        try:
            appointment = services.convert_request(
                Actor.of(request),
                consultation,
                patient_data,
                d["clinician"],
                d["starts_at"],
                d["minutes"],
            )
        except services.VisitError as err:
            form.add_error("starts_at", str(err))
        else:
            messages.success(request, _("The patient was created and the appointment booked."))
            return redirect("patients:chart", patient_id=appointment.patient_id)
    return render(
        request,
        "visits/simple_form.html",
        {
            "form": form,
            "patient": None,
            "title": _("Turn the request into a patient and an appointment"),
            "submit": _("Create patient and book"),
            "consultation": consultation,
        },
    )


@require_POST
@permission_required(Kind.CONSULTATION_REQUEST, Permission.WRITE)
def request_decline(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    consultation = get_consultation_request_for_user(request, request_id, detail="decline")
    try:
        services.decline_request(Actor.of(request), consultation)
    except services.VisitError as err:
        messages.error(request, str(err))
    return redirect("visits:requests")
