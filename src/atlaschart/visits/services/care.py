"""Care plans (with goals) and consent records."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient
from atlaschart.visits.models import (
    CarePlan,
    CarePlanGoal,
    ConsentRecord,
)
from atlaschart.visits.services.common import acting_user


def _own_patient(actor: Actor, patient: Patient) -> None:
    if actor.clinic_id is None or patient.clinic_id != actor.clinic_id:
        raise RecordNotFound("No such patient")


@transaction.atomic
def create_care_plan(
    actor: Actor, patient: Patient, data: dict[str, Any], goals: list[dict[str, str]]
) -> CarePlan:
    author = acting_user(actor)
    _own_patient(actor, patient)
    plan = CarePlan.objects.create(patient=patient, created_by=author, **data)
    allowed = {"description", "measure", "target", "target_value", "target_date"}
    CarePlanGoal.objects.bulk_create(
        [
            CarePlanGoal(care_plan=plan, **{k: v for k, v in g.items() if k in allowed})
            for g in goals
        ]
    )
    log_access(actor, Action.CREATE, patient=patient, obj=plan, detail="care plan")
    return plan


@transaction.atomic
def record_consent(actor: Actor, patient: Patient, data: dict[str, Any]) -> ConsentRecord:
    recorder = acting_user(actor)
    _own_patient(actor, patient)
    consent = ConsentRecord.objects.create(patient=patient, recorded_by=recorder, **data)
    log_access(actor, Action.CREATE, patient=patient, obj=consent, detail=f"consent {consent.kind}")
    return consent
