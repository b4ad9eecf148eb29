"""Views are thin: parse, authorise, call one service, render. Refusals from the services
(``VisitError``) are shown as messages; nothing is half written.

Who may open each view is declared with ``permission_required(kind, permission)`` from the one
role table (``atlaschart.lib.policy.POLICY``): front desk reaches the schedule and the
consultation requests; visit notes, treatments, care plans and adverse events are clinical.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.forms import CheckboxSelectMultiple, ModelForm, TimeInput, TypedMultipleChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from atlaschart.accounts.models import Role
from atlaschart.audit.models import Action
from atlaschart.clinics.models import Clinic
from atlaschart.exams.access import exams_of_clinic
from atlaschart.lib.access import log_shown
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.visits import services
from atlaschart.visits.access import (
    adverse_events_of_clinic,
    appointments_of_clinic,
    consents_of_clinic,
    consultation_requests_of_clinic,
    get_adverse_event_for_user,
    get_appointment_for_user,
    get_care_plan_for_user,
    get_consultation_request_for_user,
    get_treatment_for_user,
    get_visit_for_user,
    log_requests_shown,
)
from atlaschart.visits.calendar_rules import holiday_name, weekday_choices
from atlaschart.visits.forms import (
    GUIDANCE,
    INJECTION_SIDES,
    AmendmentForm,
    AppointmentForm,
    CarePlanForm,
    ConsentForm,
    ConsultationForm,
    ConvertForm,
    FollowupForm,
    GoalFormSet,
    NoteForm,
    RecurringForm,
    TreatmentForm,
    clinicians_of,
    form_token,
)
from atlaschart.visits.models import (
    FIRST_YEAR,
    LAST_YEAR,
    SOAP_FIELDS,
    AppointmentStatus,
    ClinicProfile,
    ConsentKind,
    RequestStatus,
    Visit,
)
from atlaschart.visits.safety_gate import signing_block_reason
from atlaschart.visits.techniques import describe_settings, technique_label
from atlaschart.web.client import client_ip


def _clinic_id(request: AuthenticatedHttpRequest) -> int:
    # permission_required lets only members of a clinic through; this keeps mypy and a
    # misconfigured URL honest.
    if request.user.clinic_id is None:
        raise PermissionDenied
    return request.user.clinic_id


# ----------------------------------------------------------------------------------- schedule


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
    clinicians = list(clinicians_of(_clinic_id(request)))
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
    form = AppointmentForm(request.POST or None, clinic_id=_clinic_id(request))
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


# -------------------------------------------------------------------------------------- visits


def _soap_pairs(text: dict[str, str]) -> list[tuple[Any, str]]:
    return [(NoteForm.base_fields[f].label, text[f]) for f in SOAP_FIELDS]


def _visit_context(request: HttpRequest, visit: Visit, **extra: Any) -> dict[str, Any]:
    treatments = list(visit.treatments.select_related("signed_by", "consent"))
    for t in treatments:
        t.settings_display = describe_settings(t.technique, t.technique_settings or {})
        t.technique_display = technique_label(t.technique) if t.technique else ""
        t.side_display = SIDE_WORDS.get(t.contact_side, "")
        t.guidance_display = GUIDANCE_WORDS.get(t.guidance, "")
        t.block_reason = (
            None if t.signed_at else signing_block_reason(visit.patient, t.technique, t.kind)
        )
    exams = list(exams_of_clinic(request).filter(visit=visit).order_by("created_at", "id"))
    context = {
        "visit": visit,
        "patient": visit.patient,
        "treatments": treatments,
        "exams": exams,
        "amendments": list(visit.amendments.select_related("author")),
        "current_note": _soap_pairs(services.current_text(visit)) if visit.is_signed else [],
        "needs_followup": services.needs_followup(request, visit) and not visit.is_signed,
        "events": _events_in_words(visit),
        "uc_block": signing_block_reason(visit.patient, "other_thrust"),
        "soap_fields": SOAP_FIELDS,
        "before_its_day": visit.visit_date > timezone.localdate(),
    }
    if not visit.is_signed:
        context.setdefault(
            "note_form",
            NoteForm(
                initial={"version": visit.version, **{f: getattr(visit, f) for f in SOAP_FIELDS}}
            ),
        )
        context.setdefault(
            "treatment_form",
            TreatmentForm(
                initial={"kind": "uc_adjustment"},
                consents=_injection_consents(request, visit),
                visit_date=visit.visit_date,
            ),
        )
        context.setdefault("followup_form", FollowupForm())
    context.update(extra)
    return context


SIDE_WORDS = {k: v for k, v in INJECTION_SIDES if k}
GUIDANCE_WORDS = {k: v for k, v in GUIDANCE if k}


EVENT_CLASSES = {
    "none": gettext_lazy("not an adverse event"),
    "symptomatic_reaction": gettext_lazy("mild reaction"),
    "intense": gettext_lazy("intense reaction"),
    "serious": gettext_lazy("serious adverse event"),
}


def _in_words(events: list[Any]) -> list[Any]:
    serious = dict(FollowupForm.base_fields["serious_criteria"].choices)  # type: ignore[attr-defined]
    for event in events:
        event.classification_display = EVENT_CLASSES.get(event.classification, _("unclassified"))
        event.serious_display = [serious.get(c, _("other")) for c in event.serious_criteria or ()]
    return events


def _events_in_words(visit: Visit) -> list[Any]:
    return _in_words(list(visit.adverse_events.all()))


def _injection_consents(request: HttpRequest, visit: Visit) -> Any:
    """The patient's consents to injections in force on the visit's day, for the form's list."""
    return (
        consents_of_clinic(request)
        .filter(
            patient_id=visit.patient_id,
            kind=ConsentKind.INJECTION,
            given_on__lte=visit.visit_date,
        )
        .exclude(withdrawn_on__lte=visit.visit_date)
    )


@permission_required(Kind.VISIT_NOTE, Permission.READ)
def visit_detail(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request, visit_id)
    return render(request, "visits/visit.html", _visit_context(request, visit))


@require_POST
@permission_required(Kind.VISIT_NOTE, Permission.WRITE)
def visit_save(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request, visit_id, detail="note edit")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.update_note(
                Actor.of(request),
                visit,
                {f: form.cleaned_data[f] for f in SOAP_FIELDS},
                form.cleaned_data["version"],
            )
        except services.VisitError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, _("The note was saved."))
            return redirect("visits:visit", visit_id=visit.pk)
    return render(
        request,
        "visits/visit.html",
        _visit_context(request, visit, note_form=form),
        status=409 if form.non_field_errors() else 400,
    )


@require_POST
@permission_required(Kind.VISIT_NOTE, Permission.SIGN)
def visit_sign(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request, visit_id, detail="sign")
    try:
        services.sign_note(Actor.of(request), visit)
    except services.VisitError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("The note was signed."))
    return redirect("visits:visit", visit_id=visit.pk)


@permission_required(Kind.VISIT_NOTE, Permission.WRITE)
def visit_amend(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request, visit_id, detail="amendment form")
    if not visit.is_signed:
        return redirect("visits:visit", visit_id=visit.pk)
    form = AmendmentForm(
        request.POST or None,
        initial={**services.current_text(visit), "version": services.note_version(visit)},
    )
    context: dict[str, Any] = {"visit": visit, "patient": visit.patient}
    if request.method == "POST" and form.is_valid():
        mine = {f: form.cleaned_data[f] for f in SOAP_FIELDS}
        try:
            services.amend_note(
                Actor.of(request),
                visit,
                mine,
                form.cleaned_data["reason"],
                form.cleaned_data["version"],
            )
        except services.AmendmentConflict as conflict:
            # Nothing was saved. Show both texts, and offer the author's own text again, now
            # based on the stored version, so saving it is a deliberate choice after comparing.
            retry = AmendmentForm(
                initial={
                    **mine,
                    "reason": form.cleaned_data["reason"],
                    "version": conflict.stored.version,
                }
            )
            context.update(
                form=retry,
                conflict=str(conflict),
                mine=_soap_pairs(mine),
                stored=_soap_pairs(conflict.stored.text),
                stored_by=conflict.stored.last_author,
                stored_at=conflict.stored.last_at,
            )
            return render(request, "visits/amend.html", context, status=409)
        except services.VisitError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, _("The amendment was saved. The original is kept."))
            return redirect("visits:visit", visit_id=visit.pk)
    context["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/amend.html", context, status=status)


@require_POST
@permission_required(Kind.VISIT_NOTE, Permission.WRITE)
def treatment_add(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request, visit_id, detail="treatment form")
    form = TreatmentForm(
        request.POST, consents=_injection_consents(request, visit), visit_date=visit.visit_date
    )
    if form.is_valid():
        try:
            services.add_treatment(Actor.of(request), visit, form.treatment_data())
        except services.VisitError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, _("The treatment was recorded. Sign it when done."))
        return redirect("visits:visit", visit_id=visit.pk)
    return render(
        request,
        "visits/visit.html",
        _visit_context(request, visit, treatment_form=form),
        status=400,
    )


@require_POST
@permission_required(Kind.VISIT_NOTE, Permission.SIGN)
def treatment_sign(request: AuthenticatedHttpRequest, treatment_id: int) -> HttpResponse:
    treatment = get_treatment_for_user(request, treatment_id, detail="sign")
    try:
        services.sign_treatment(Actor.of(request), treatment)
    except services.VisitError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("The treatment was signed."))
    return redirect("visits:visit", visit_id=treatment.visit_id)


@require_POST
@permission_required(Kind.VISIT_NOTE, Permission.WRITE)
def treatment_delete(request: AuthenticatedHttpRequest, treatment_id: int) -> HttpResponse:
    treatment = get_treatment_for_user(request, treatment_id, detail="remove draft")
    try:
        services.delete_draft_treatment(Actor.of(request), treatment)
    except services.VisitError as err:
        messages.error(request, str(err))
    return redirect("visits:visit", visit_id=treatment.visit_id)


@require_POST
@permission_required(Kind.ADVERSE_EVENT, Permission.WRITE)
def followup(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request, visit_id, detail="adverse-event follow-up")
    if request.POST.get("nothing"):
        services.record_followup(Actor.of(request), visit, None)
        return redirect("visits:visit", visit_id=visit.pk)
    form = FollowupForm(request.POST)
    if form.is_valid():
        event = services.record_followup(Actor.of(request), visit, form.cleaned_data)
        if event is not None and event.escalated:
            messages.warning(request, _("This event was raised to the clinic admin."))
        return redirect("visits:visit", visit_id=visit.pk)
    return render(
        request, "visits/visit.html", _visit_context(request, visit, followup_form=form), status=400
    )


# -------------------------------------------------------------------------- care plan, consent


@permission_required(Kind.CARE_PLAN, Permission.WRITE)
def care_plan_create(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="care plan form")
    form = CarePlanForm(request.POST or None)
    start = form.cleaned_data.get("start_date") if form.is_bound and form.is_valid() else None
    goal_forms = GoalFormSet(request.POST or None, prefix="goals", start_date=start)
    if request.method == "POST" and form.is_valid() and goal_forms.is_valid():
        services.create_care_plan(
            Actor.of(request), patient, dict(form.cleaned_data), goal_forms.goals()
        )
        messages.success(request, _("The care plan was saved."))
        return redirect("patients:chart", patient_id=patient.pk)
    return render(
        request,
        "visits/care_plan_form.html",
        {"form": form, "goal_forms": goal_forms, "patient": patient},
    )


@permission_required(Kind.CARE_PLAN, Permission.WRITE)
def care_plan_book(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_care_plan_for_user(request, plan_id, detail="recurring booking form")
    form = RecurringForm(request.POST or None, clinic_id=_clinic_id(request))
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            booked = services.book_recurring(
                Actor.of(request),
                plan,
                d["clinician"],
                d["first_start"],
                d["minutes"],
                confirmed=d["confirm"],
            )
        except services.NeedsConfirmation as unusual:
            warnings = unusual.warnings
        except services.VisitError as err:
            form.add_error("first_start", str(err))
        else:
            messages.success(request, _("%(count)s visits were booked.") % {"count": len(booked)})
            return redirect("patients:chart", patient_id=plan.patient_id)
    return render(
        request,
        "visits/simple_form.html",
        {
            "form": form,
            "patient": plan.patient,
            "title": _("Book the care plan's visits"),
            "submit": _("Book all"),
            "warnings": warnings,
        },
    )


# Consent to a treatment belongs with the treatment record, so it is clinical like the note.
@permission_required(Kind.VISIT_NOTE, Permission.WRITE)
def consent_create(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="consent form")
    form = ConsentForm(request.POST or None, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.record_consent(Actor.of(request), patient, form.cleaned_data)
        messages.success(request, _("The consent was recorded."))
        return redirect("patients:chart", patient_id=patient.pk)
    return render(
        request,
        "visits/simple_form.html",
        {"form": form, "patient": patient, "title": _("Record consent"), "submit": _("Save")},
    )


# ----------------------------------------------------------------------------- adverse events


# Reviewing an escalated event is the clinic admin's sign-off (POLICY: adverse_event sign).
@permission_required(Kind.ADVERSE_EVENT, Permission.SIGN)
def adverse_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    events = list(
        adverse_events_of_clinic(request)
        .filter(escalated=True)
        .select_related("patient", "reported_by", "reviewed_by")[:200]
    )
    _in_words(events)
    log_shown(request, [e.patient for e in events], detail="escalated adverse events")
    return render(request, "visits/adverse_events.html", {"events": events})


@require_POST
@permission_required(Kind.ADVERSE_EVENT, Permission.SIGN)
def adverse_event_review(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = get_adverse_event_for_user(request, event_id, Action.UPDATE, detail="review")
    services.review_adverse_event(Actor.of(request), event)
    return redirect("visits:adverse_events")


# --------------------------------------------------------------------- consultation requests

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
        clinic_id=_clinic_id(request),
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


class ProfileForm(ModelForm):
    open_weekdays = TypedMultipleChoiceField(
        label=gettext_lazy("Open on"),
        coerce=int,
        required=False,
        choices=weekday_choices,
        widget=CheckboxSelectMultiple,
    )

    class Meta:
        widgets = {
            "opens_at": TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        model = ClinicProfile
        fields = [
            "public_page_enabled",
            "services",
            "conditions",
            "hours",
            "opens_at",
            "closes_at",
            "open_weekdays",
            "template_subjective",
            "template_objective",
            "template_assessment",
            "template_plan",
        ]


@permission_required(Kind.CLINIC_SETTINGS, Permission.WRITE)
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile, _created = ClinicProfile.objects.get_or_create(clinic_id=_clinic_id(request))
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("visits:profile")
    return render(
        request,
        "visits/simple_form.html",
        {
            "form": form,
            "patient": None,
            "title": _("Public page and note templates"),
            "submit": _("Save"),
        },
    )
