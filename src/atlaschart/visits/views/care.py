"""Care plans (with goals, and booking their visits) and consent records."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.visits import services
from atlaschart.visits.access import (
    get_care_plan_for_user,
)
from atlaschart.visits.forms import (
    CarePlanForm,
    ConsentForm,
    GoalFormSet,
    RecurringForm,
)
from atlaschart.visits.views.common import clinic_id_of


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
    form = RecurringForm(request.POST or None, clinic_id=clinic_id_of(request))
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
