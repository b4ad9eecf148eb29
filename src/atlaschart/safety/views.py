from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.audit.models import Action
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, allows, permission_required, require
from atlaschart.measure.safety import ScreenInputError
from atlaschart.patients.access import get_patient_for_user
from atlaschart.safety import display, services
from atlaschart.safety.access import get_screen_for_user, screens_of_clinic
from atlaschart.safety.chart import state
from atlaschart.safety.forms import AcknowledgeForm, ScreenEntryForm


@permission_required(Kind.SAFETY_SCREEN, Permission.READ)
def patient_safety(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """The patient's latest screen, its findings, and (for those who may) the form for signs."""
    actor = Actor.of(request)
    if request.method == "POST":
        # Checked before the patient is read, so a refused post writes nothing but its denial.
        require(request.user, Kind.SAFETY_SCREEN, Permission.WRITE)
    patient = get_patient_for_user(actor, patient_id, detail="safety screen")
    latest = services.latest_screen(patient)
    may_enter = allows(request.user, Kind.SAFETY_SCREEN, Permission.WRITE)
    may_acknowledge = allows(request.user, Kind.SAFETY_SCREEN, Permission.SIGN)
    form = ScreenEntryForm(request.POST or None, previous=latest.answers if latest else {})
    if request.method == "POST" and form.is_valid():
        entries = form.entries()
        entries["age_years"] = float(patient.age_on(timezone.localdate()))
        try:
            services.rescreen_with_entries(
                actor, patient, entries, form.cleaned_data.get("reassessment_reason") or ""
            )
        except services.ReassessmentRefused as refused:
            form.add_error("reassessment_reason", str(refused))
        except ScreenInputError:
            # The form offers only the core's choices, so this is a hand-made post: say so in
            # the user's language (the core's message names raw keys).
            form.add_error(None, _("The answers could not be screened; check each item."))
        else:
            messages.success(request, _("A new screen was recorded."))
            return redirect("safety:patient", patient_id=patient.pk)
    history = [
        {"screen": h, "level_label": display.level_label(h.level), "reassessed": bool(h.reassessed)}
        for h in screens_of_clinic(actor)
        .filter(patient=patient)
        .only("id", "created_at", "level", "source", "reassessed")[:20]
    ]
    return render(
        request,
        "safety/patient.html",
        {
            "patient": patient,
            "latest": latest,
            "form": form,
            "may_enter": may_enter,
            "may_acknowledge": may_acknowledge,
            "safety": state(patient, latest),
            "level_meaning": display.level_meaning(latest.level if latest else "not-screened"),
            "history": history,
            "ack_form": AcknowledgeForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@permission_required(Kind.SAFETY_SCREEN, Permission.SIGN)
def acknowledge(request: AuthenticatedHttpRequest, screen_id: int) -> HttpResponse:
    actor = Actor.of(request)
    # The service writes the row for this action (an update of the screen).
    record = get_screen_for_user(actor, screen_id, action=Action.UPDATE, log=False)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        # The reason's own message (too long, a character that cannot be stored) when it is the
        # reason that is wrong; otherwise the choice is missing.
        reason_errors = form.errors.get("reason")
        # An ErrorList item is its message text (the stubs type it as the stored ValidationError).
        messages.error(
            request,
            str(reason_errors[0]) if reason_errors else _("Choose acknowledge or override."),
        )
    else:
        try:
            services.acknowledge(
                actor,
                record,
                form.cleaned_data["rule"],
                form.cleaned_data["action"],
                form.cleaned_data["reason"],
            )
        except services.AcknowledgementRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Recorded."))
    return redirect("safety:patient", patient_id=record.patient_id)
