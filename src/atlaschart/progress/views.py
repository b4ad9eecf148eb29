"""The progress page: parse, authorise, call the service, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.patients.access import get_patient_for_user
from atlaschart.progress import services


@permission_required(Kind.INTAKE_ANSWERS, Permission.READ)
def progress_page(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.of(request)
    patient = get_patient_for_user(actor, patient_id, detail="progress")
    return render(
        request,
        "progress/page.html",
        {"patient": patient, "p": services.progress_of(actor, patient)},
    )
