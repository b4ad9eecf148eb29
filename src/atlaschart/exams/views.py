from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.accounts.models import Role
from atlaschart.audit.models import Action
from atlaschart.exams import display, services
from atlaschart.exams.access import get_exam_for_user
from atlaschart.exams.forms import FORMS
from atlaschart.exams.models import ExamKind
from atlaschart.patients.access import get_patient_for_user
from atlaschart.web.decorators import clinic_member_required, role_required


@role_required(Role.CLINICIAN, Role.CLINIC_ADMIN)
def exam_create(request: HttpRequest, patient_id: int, kind: str) -> HttpResponse:
    if kind not in FORMS:
        raise Http404("No such exam")
    patient = get_patient_for_user(request, patient_id, detail=f"exam form {kind}")
    visit = None
    visit_id = request.GET.get("visit") or request.POST.get("visit")
    if visit_id and str(visit_id).isdigit():
        from atlaschart.visits.access import get_visit_for_user

        visit = get_visit_for_user(request, int(visit_id), detail="exam form")
        if visit.patient_id != patient.pk:
            raise Http404("Visit of another patient")
    initial = {"timing": request.GET.get("timing", "")}
    data = request.POST if request.method == "POST" else None
    pre = None
    if (
        data is not None
        and kind == "leg_check"
        and data.get("timing") == "post"
        and visit is not None
    ):
        pre = services.previous_pre_check(patient, visit.pk, {"check_type": data.get("check_type")})
    form = FORMS[kind](
        data,
        initial=initial,
        age_years=patient.age_on(timezone.localdate()),
        pre_raw=pre.raw if pre else None,
    )
    if data is not None and form.is_valid():
        services.record_exam(
            request,
            patient,
            kind,
            raw=form.raw(),
            derived=form.derived,
            summary=form.summary,
            timing=form.cleaned_data.get("timing", ""),
            visit_id=visit.pk if visit else None,
        )
        messages.success(request, _("The examination was saved."))
        if visit is not None:
            return redirect("visits:visit", visit_id=visit.pk)
        return redirect("patients:chart", patient_id=patient.pk)
    return render(
        request,
        "exams/form.html",
        {
            "form": form,
            "patient": patient,
            "visit": visit,
            "kind_label": ExamKind(kind).label,
            "kind": kind,
        },
    )


@clinic_member_required
def exam_detail(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = get_exam_for_user(request, exam_id, Action.VIEW)
    context = {
        "exam": exam,
        "patient": exam.patient,
        "summary": exam.summary_display,
        "entered": display.entered_tables(exam.kind, exam.raw or {}, exam.derived or {}),
        "computed": display.computed_rows(exam.kind, exam.derived or {}),
    }
    return render(request, "exams/detail.html", context)
