"""The schedule: today's list, the day and week calendar, booking, an appointment's
status and opening its visit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.accounts.models import Role
from atlaschart.lib.access import log_shown
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.visits import services
from atlaschart.visits.access import (
    appointments_of_clinic,
    get_appointment_for_user,
)
from atlaschart.visits.calendar_rules import holiday_name
from atlaschart.visits.forms import (
    AppointmentForm,
    clinicians_of,
)
from atlaschart.visits.models import (
    FIRST_YEAR,
    LAST_YEAR,
    AppointmentStatus,
)
from atlaschart.visits.views.common import clinic_id_of


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _requested_day(request: HttpRequest) -> date:
    """The ``date`` parameter, or today with a message when it is not a date in range.

    Outside FIRST_YEAR..LAST_YEAR the week arithmetic and the time-zone conversion overflow
    Python's datetime (year 1 and 9999 are valid ISO dates), so such dates are refused.
    """
    raw = request.GET.get("date", "")
    if not raw:
        return timezone.localdate()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        messages.error(
            request,
            _("“%(value)s” is not a date between %(first)s and %(last)s; showing today.")
            % {"value": raw[:40], "first": FIRST_YEAR, "last": LAST_YEAR},
        )
        return timezone.localdate()
    return day


@permission_required(Kind.APPOINTMENT, Permission.LIST)
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The start page. Front desk and the clinic admin see every clinician's appointments, who
    has arrived and which patients are due a follow-up visit; a clinician sees their own list
    (``?all=1`` shows everyone's)."""
    day = timezone.localdate()
    start, end = _day_bounds(day)
    own_only = request.user.role == Role.CLINICIAN and not request.GET.get("all")
    appointments = appointments_of_clinic(request).filter(starts_at__gte=start, starts_at__lt=end)
    if own_only:
        appointments = appointments.filter(clinician=request.user)
    listed = list(appointments.select_related("patient", "clinician", "visit"))
    arrived = [a for a in listed if a.status == AppointmentStatus.ARRIVED]
    due = services.due_followups(request, day)
    reassess = services.due_reassessments(request, day)
    log_shown(
        request,
        [a.patient for a in listed] + [d.patient for d in due] + [r.patient for r in reassess],
        detail="today's list",
    )
    return render(
        request,
        "visits/today.html",
        {
            "appointments": listed,
            "arrived": arrived,
            "due": due,
            "reassess": reassess,
            "day": day,
            "own_only": own_only,
            "is_clinician": request.user.role == Role.CLINICIAN,
            "holiday": holiday_name(day),
        },
    )


@permission_required(Kind.APPOINTMENT, Permission.LIST)
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Day or week calendar. Without a choice it opens on the clinicians who have bookings in
    the days shown (else the user, else the clinic's first clinician); ``clinician`` picks one,
    ``clinician=all`` shows everyone."""
    day = _requested_day(request)
    view = "week" if request.GET.get("view") == "week" else "day"
    clinicians = list(clinicians_of(clinic_id_of(request)))
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=n) for n in range(7 if view == "week" else 1)]
    start, _end = _day_bounds(days[0])
    end = _day_bounds(days[-1])[1]
    in_range = list(
        appointments_of_clinic(request)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "clinician")
    )
    wanted = request.GET.get("clinician", "")
    # Compared as text: int() of a few thousand digits raises instead of returning a number.
    picked = next((c for c in clinicians if str(c.pk) == wanted), None)
    if picked is not None:
        shown = [picked]
    elif wanted == "all":
        shown = clinicians
    else:
        booked = {a.clinician_id for a in in_range}
        shown = [c for c in clinicians if c.pk in booked]
        if not shown:
            fallback = request.user if request.user in clinicians else None
            shown = [fallback or clinicians[0]] if clinicians else []
    shown_ids = {c.pk for c in shown}
    appointments = [a for a in in_range if a.clinician_id in shown_ids]
    log_shown(request, [a.patient for a in appointments], detail=f"calendar {view}")
    columns = [
        (d, [a for a in appointments if timezone.localtime(a.starts_at).date() == d]) for d in days
    ]
    # The day view has one column per clinician shown, so a morning reads across the room.
    by_clinician = [(c, [a for a in appointments if a.clinician_id == c.pk]) for c in shown]
    step = 7 if view == "week" else 1
    selection = str(picked.pk) if picked else ("all" if wanted == "all" else "")
    return render(
        request,
        "visits/calendar.html",
        {
            "columns": columns,
            "by_clinician": by_clinician,
            "view": view,
            "day": day,
            "clinicians": clinicians,
            "shown": shown,
            "selection": selection,
            "holidays": [(d, holiday_name(d)) for d in days if holiday_name(d)],
            "previous": day - timedelta(days=step),
            "next": day + timedelta(days=step),
        },
    )


@permission_required(Kind.APPOINTMENT, Permission.WRITE)
def appointment_create(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="booking form")
    form = AppointmentForm(request.POST or None, clinic_id=clinic_id_of(request))
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.book_appointment(
                Actor.of(request),
                patient,
                d["clinician"],
                d["starts_at"],
                d["minutes"],
                d["note"],
                kind=d["kind"],
                confirmed=d["confirm"],
            )
        except services.NeedsConfirmation as unusual:
            warnings = unusual.warnings
        except services.VisitError as err:
            form.add_error("starts_at", str(err))
        else:
            messages.success(request, _("The appointment was booked."))
            return redirect("patients:chart", patient_id=patient.pk)
    return render(
        request,
        "visits/simple_form.html",
        {
            "form": form,
            "patient": patient,
            "title": _("Book an appointment"),
            "submit": _("Book"),
            "warnings": warnings,
        },
    )


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` parameter when it is a path of this site, else today's list.

    Only a path (``/...``) is followed, and only where it stays on this host: ``//evil.example/``
    starts with a slash yet leaves the site, and a bare word would be taken for a view name.
    """
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("visits:today")


@require_POST
@permission_required(Kind.APPOINTMENT, Permission.WRITE)
def appointment_status(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, appointment_id, detail="status change")
    status = request.POST.get("status", "")
    if status not in AppointmentStatus.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            services.set_status(Actor.of(request), appointment, status)
        except services.VisitError as err:
            messages.error(request, str(err))
    return HttpResponseRedirect(_safe_next(request))


@permission_required(Kind.VISIT_NOTE, Permission.WRITE)
def appointment_open(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, appointment_id, detail="open visit")
    if request.method != "POST":
        existing = getattr(appointment, "visit", None)
        if existing is not None:
            return redirect("visits:visit", visit_id=existing.pk)
        return render(request, "visits/open.html", {"appointment": appointment})
    try:
        visit = services.open_visit(Actor.of(request), appointment)
    except services.VisitError as err:
        messages.error(request, str(err))
        return redirect("visits:today")
    return redirect("visits:visit", visit_id=visit.pk)
