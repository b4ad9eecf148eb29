"""The visit page: the note (save, sign), treatments (add, sign, remove a draft) and the
adverse-event follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from atlaschart.exams.access import exams_of_clinic
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.lib.presenting import RecordOnPage
from atlaschart.visits import services
from atlaschart.visits.access import (
    consents_of_clinic,
    get_treatment_for_user,
    get_visit_for_user,
)
from atlaschart.visits.forms import (
    GUIDANCE,
    INJECTION_SIDES,
    FollowupForm,
    NoteForm,
    TreatmentForm,
)
from atlaschart.visits.models import (
    SOAP_FIELDS,
    ConsentKind,
    Treatment,
    Visit,
)
from atlaschart.visits.safety_gate import signing_block_reasons
from atlaschart.visits.techniques import describe_settings, technique_label
from atlaschart.visits.views.adverse_events import EventInWords, in_words
from atlaschart.visits.views.common import soap_pairs


@dataclass(frozen=True)
class TreatmentOnPage(RecordOnPage):
    """A treatment as the visit page shows it: the record, and the words made for it here. The
    templates read the record's own fields through it too (``t.kind``, ``t.pk``, ``t.drug``)."""

    treatment: Treatment
    settings_display: list[tuple[str, str]]
    technique_display: str
    side_display: StrOrPromise
    guidance_display: StrOrPromise
    block_reason: str | None

    record_field = "treatment"


def _visit_context(request: HttpRequest, visit: Visit, **extra: Any) -> dict[str, Any]:
    records = list(visit.treatments.select_related("signed_by", "consent"))
    block_reason = signing_block_reasons(visit.patient)
    treatments = [
        TreatmentOnPage(
            treatment=t,
            settings_display=describe_settings(t.technique, t.technique_settings or {}),
            technique_display=technique_label(t.technique) if t.technique else "",
            side_display=SIDE_WORDS.get(t.contact_side, ""),
            guidance_display=GUIDANCE_WORDS.get(t.guidance, ""),
            block_reason=None if t.signed_at else block_reason(t.technique, t.kind),
        )
        for t in records
    ]
    exams = list(exams_of_clinic(request).filter(visit=visit).order_by("created_at", "id"))
    context = {
        "visit": visit,
        "patient": visit.patient,
        "treatments": treatments,
        "exams": exams,
        "amendments": list(visit.amendments.select_related("author")),
        "current_note": soap_pairs(services.current_text(visit)) if visit.is_signed else [],
        "needs_followup": services.needs_followup(request, visit) and not visit.is_signed,
        "events": _events_in_words(visit),
        "uc_block": block_reason("other_thrust"),
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


def _events_in_words(visit: Visit) -> list[EventInWords]:
    return in_words(visit.adverse_events.all())


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
