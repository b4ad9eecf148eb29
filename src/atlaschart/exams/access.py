"""The one door to exam records: scoped to the user's clinic (404 otherwise) and logged."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.exams.models import ExamRecord
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor

exam_door = Door(
    ExamRecord,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient", "examiner"),
    label="exam record",
)


def exams_of_clinic(who: Actor | HttpRequest) -> QuerySet[ExamRecord]:
    """Exam records of the acting user's clinic (not logged: callers log what they show)."""
    return exam_door.of_clinic(who)


def get_exam_for_user(
    who: Actor | HttpRequest, exam_id: int, action: Action = Action.VIEW, detail: str = ""
) -> ExamRecord:
    return exam_door.get(who, exam_id, action, detail)
