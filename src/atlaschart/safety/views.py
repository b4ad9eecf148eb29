from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.accounts.models import Role
from atlaschart.audit.models import Action
from atlaschart.measure.safety import ScreenInputError, allowed_actions
from atlaschart.patients.access import get_patient_for_user
from atlaschart.safety import services
from atlaschart.safety.access import get_screen_for_user
from atlaschart.safety.forms import AcknowledgeForm, ScreenEntryForm
from atlaschart.safety.models import ScreenRecord
from atlaschart.web.decorators import clinic_member_required, role_required


def findings_view(record: ScreenRecord) -> list[dict[str, object]]:
    acks = services.acks_by_rule(record)
    blocking = {f["rule"] for f in services.unresolved(record, acks)}
    out = []
    for f in record.findings:
        finding = services.finding_of(record, f["rule"])
        out.append(
            {
                **f,
                "ack": acks.get(f["rule"]),
                "blocking": f["rule"] in blocking,
                "actions": allowed_actions(finding) if finding else (),
            }
        )
    return out


@clinic_member_required
def patient_safety(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's latest screen, its findings, and (for clinicians) the form for signs."""
    patient = get_patient_for_user(request, patient_id, detail="safety screen")
    latest = services.latest_screen(patient)
    is_clinician = getattr(request.user, "role", None) == Role.CLINICIAN
    form = ScreenEntryForm(request.POST or None, previous=latest.answers if latest else {})
    if request.method == "POST":
        if not is_clinician:
            raise PermissionDenied
        if form.is_valid():
            entries = form.entries()
            entries["age_years"] = float(patient.age_on(timezone.localdate()))
            try:
                services.rescreen_with_entries(request, patient, entries)
            except ScreenInputError as error:
                form.add_error(
                    None, _("The answers could not be screened: %(error)s") % {"error": error}
                )
            else:
                messages.success(request, _("A new screen was recorded."))
                return redirect("safety:patient", patient_id=patient.pk)
    history = list(
        ScreenRecord.objects.filter(patient=patient).only("id", "created_at", "level", "source")[
            :20
        ]
    )
    return render(
        request,
        "safety/patient.html",
        {
            "patient": patient,
            "latest": latest,
            "form": form,
            "is_clinician": is_clinician,
            "findings": findings_view(latest) if latest else [],
            "history": history,
            "ack_form": AcknowledgeForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(Role.CLINICIAN)
def acknowledge(request: HttpRequest, screen_id: int) -> HttpResponse:
    record = get_screen_for_user(request, screen_id, action=Action.VIEW)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose acknowledge or override."))
    else:
        try:
            services.acknowledge(
                request,
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
