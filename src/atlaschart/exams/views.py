from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.exams import display, hooks, services
from atlaschart.exams.access import get_exam_for_user
from atlaschart.exams.kinds import find
from atlaschart.exams.messages import as_validation_error
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.measure.exam import ExamValidationError
from atlaschart.patients.access import get_patient_for_user


@permission_required(Kind.EXAM, Permission.WRITE)
def exam_create(request: AuthenticatedHttpRequest, patient_id: int, kind: str) -> HttpResponse:
    spec = find(kind)
    if spec is None:
        raise Http404("No such exam")
    actor = Actor.of(request)
    patient = get_patient_for_user(actor, patient_id, detail=f"exam form {kind}")
    visit = None
    visit_id = request.GET.get("visit") or request.POST.get("visit")
    if visit_id and str(visit_id).isdigit() and len(str(visit_id)) < 12:
        visit = hooks.get_visit(request, int(visit_id), detail="exam form")
        if visit.patient_id != patient.pk:
            raise Http404("Visit of another patient")
    initial = {"timing": request.GET.get("timing", "")}
    data = request.POST if request.method == "POST" else None
    pre_raw = None
    if data is not None and visit is not None:
        pre_raw = services.pre_raw_for(
            actor, patient, spec, str(data.get("timing") or ""), visit.pk, data
        )
    # The form runs the kind's derivation too, but only to name a rejected entry on its field;
    # the service derives what is stored from the raw inputs.
    form = spec.form(
        data,
        initial=initial,
        age_years=patient.age_on(timezone.localdate()),
        pre_raw=pre_raw,
    )
    if data is not None and form.is_valid():
        try:
            services.record_exam(
                actor,
                patient,
                kind,
                raw=form.raw(),
                timing=form.cleaned_data.get("timing", ""),
                visit_id=visit.pk if visit else None,
            )
        except ExamValidationError as err:
            # The form ran the same core a moment ago, so this means the inputs changed under
            # it (another pre check saved meanwhile); show the core's message, store nothing.
            form.add_error(None, as_validation_error(err, None, {}))
        else:
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
            "kind_label": spec.label,
            "kind": kind,
        },
        status=400 if data is not None else 200,
    )


@permission_required(Kind.EXAM, Permission.READ)
def exam_detail(request: AuthenticatedHttpRequest, exam_id: int) -> HttpResponse:
    exam = get_exam_for_user(Actor.of(request), exam_id, Action.VIEW)
    context = {
        "exam": exam,
        "patient": exam.patient,
        "summary": exam.summary_display,
        "entered": display.entered_tables(exam.kind, exam.raw or {}, exam.derived or {}),
        "computed": display.computed_rows(exam.kind, exam.derived or {}),
    }
    return render(request, "exams/detail.html", context)
