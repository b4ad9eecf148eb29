"""Writes of exam records: one transaction and one access-log entry per user action.

The service takes the raw inputs only and derives every stored value through its kind's
derivation (``exams.kinds.build``) itself, so a caller (the form, the CLI, a test) can never
store a derived value that does not follow from the raw inputs it stored with it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.exams.access import exams_of_clinic
from atlaschart.exams.hooks import exam_recorded
from atlaschart.exams.kinds import ExamKindSpec, build, kind_of
from atlaschart.exams.models import ExamRecord
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient


def previous_pre_check(
    actor: Actor,
    patient: Patient,
    visit_id: int | None,
    raw: dict[str, Any] | None = None,
    kind: str = "leg_check",
) -> ExamRecord | None:
    """The visit's latest pre-adjustment record of ``kind`` that a post record is compared with:
    the same values under the kind's ``pre_post_same`` keys (the check type, for a leg check)
    when ``raw`` gives them."""
    spec = kind_of(kind)
    if visit_id is None or not spec.compares_pre_post:
        return None
    qs = exams_of_clinic(actor).filter(
        patient=patient, visit_id=visit_id, kind=spec.value, timing="pre"
    )
    for key in spec.pre_post_same:
        if raw is not None and raw.get(key):
            qs = qs.filter(**{f"raw__{key}": raw[key]})
    return qs.first()


def pre_raw_for(
    actor: Actor, patient: Patient, spec: ExamKindSpec, timing: str, visit_id: int | None, raw: Any
) -> dict[str, Any] | None:
    """The raw inputs of the pre record a post record of ``spec`` is compared with, if any."""
    if timing != "post" or not spec.compares_pre_post:
        return None
    pre = previous_pre_check(actor, patient, visit_id, raw, spec.value)
    return pre.raw if pre is not None else None


@transaction.atomic
def record_exam(
    actor: Actor,
    patient: Patient,
    kind: str,
    *,
    raw: dict[str, Any],
    timing: str = "",
    visit_id: int | None = None,
) -> ExamRecord:
    """Store one exam from its raw inputs; the derived values and summary come from its kind.

    Raises the core's ``ExamValidationError`` for inputs it rejects (nothing is written then),
    ValueError for a kind that is not registered. A post-adjustment record of a kind that
    compares pre with post (a leg check) is compared with the visit's pre record."""
    spec = kind_of(kind)
    derived, summary = build(
        kind,
        raw,
        age_years=patient.age_on(timezone.localdate()),
        timing=timing,
        pre_raw=pre_raw_for(actor, patient, spec, timing, visit_id, raw),
    )
    examiner = actor.user
    if examiner is None:
        # The examiner column is required: only a signed-in member of staff records an exam.
        raise ValueError("An exam record needs a signed-in examiner.")
    record = ExamRecord.objects.create(
        patient=patient,
        visit_id=visit_id,
        kind=kind,
        timing=timing,
        raw=raw,
        derived=derived,
        summary=summary[:300],
        examiner=examiner,
    )
    log_access(
        actor, Action.CREATE, patient=patient, obj=record, detail=f"exam {kind} {timing}".strip()
    )
    # Apps above this one react within the same transaction (the safety screen re-screens on
    # the signs of a neuro or blood-pressure exam): exams/hooks.py.
    exam_recorded.send(sender=ExamRecord, actor=actor, record=record)
    return record
