from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest, clinic_id_of
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.patients import services
from atlaschart.patients.access import get_patient_for_user, search_patients
from atlaschart.patients.chart import chart_banners, chart_sections
from atlaschart.patients.forms import PatientForm, PatientSearchForm


@permission_required(Kind.DEMOGRAPHICS, Permission.LIST)
def patient_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    query, include_archived = "", False
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        include_archived = form.cleaned_data["archived"]
    patients = search_patients(request, query, include_archived=include_archived)
    return render(
        request,
        "patients/list.html",
        {"form": form, "patients": patients, "query": query},
    )


@permission_required(Kind.DEMOGRAPHICS, Permission.WRITE)
def patient_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinic_id=clinic_id_of(request))
    if request.method == "POST" and form.is_valid():
        patient = services.create_patient(Actor.of(request), form.cleaned_data)
        messages.success(request, _("Patient %(name)s was created.") % {"name": patient.name})
        return redirect("patients:chart", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "patient": None})


@permission_required(Kind.DEMOGRAPHICS, Permission.WRITE)
def patient_edit(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    # The read is logged here; the write (with the changed field names) by the service.
    patient = get_patient_for_user(request, patient_id, detail="edit form")
    form = PatientForm(request.POST or None, instance=patient, clinic_id=patient.clinic_id)
    if request.method == "POST" and form.is_valid():
        services.update_patient(Actor.of(request), patient, form.cleaned_data)
        messages.success(request, _("The changes were saved."))
        return redirect("patients:chart", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "patient": patient})


@permission_required(Kind.DEMOGRAPHICS, Permission.READ)
def patient_chart(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="chart")
    context = {
        "patient": patient,
        "age": patient.age_on(timezone.localdate()),
        "sections": chart_sections(request, patient),
        "banners": chart_banners(request, patient),
    }
    return render(request, "patients/chart.html", context)


@require_POST
@permission_required(Kind.DEMOGRAPHICS, Permission.WRITE)
def patient_archive(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, detail="archive or restore")
    if request.POST.get("restore"):
        services.restore_patient(Actor.of(request), patient)
        messages.success(request, _("The patient was restored to the active list."))
    else:
        services.archive_patient(Actor.of(request), patient)
        messages.success(request, _("The patient was archived. Their records are kept."))
    return redirect("patients:chart", patient_id=patient.pk)
