"""The one door to exam records: scoped to the user's clinic (404 otherwise) and logged."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.exams.models import ExamRecord


def get_exam_for_user(
    request: HttpRequest, exam_id: int, action: Action = Action.VIEW, detail: str = ""
) -> ExamRecord:
    clinic_id = getattr(request.user, "clinic_id", None) if request.user.is_authenticated else None
    exam = None
    if clinic_id is not None:
        exam = (
            ExamRecord.objects.select_related("patient", "examiner")
            .filter(pk=exam_id, patient__clinic_id=clinic_id)
            .first()
        )
    if exam is None:
        raise Http404("No such exam record")
    log_access(request, action, patient=exam.patient, obj=exam, detail=detail)
    return exam
