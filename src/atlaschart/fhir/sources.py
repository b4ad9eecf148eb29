"""The table of :class:`~atlaschart.fhir.registry.ResourceSource`: which rows, through which
door, make which resource. Order is the Bundle's order (the patient first)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from atlaschart.fhir import people, questionnaires
from atlaschart.fhir.base import ORGANIZATION, PATIENT, PRACTITIONER
from atlaschart.fhir.registry import ResourceSource
from atlaschart.lib.actor import Actor


def _none(row: Any) -> None:
    return None


def _no_codes(row: Any) -> list[tuple[str, str]]:
    return []


def _own_pk(row: Any) -> int:
    return int(row.pk)


def _patient_of(row: Any) -> int | None:
    return row.patient_id  # type: ignore[no-any-return]


# --- rows: each through its app's door ---------------------------------------------------


def _patients(actor: Actor) -> QuerySet[Any]:
    from atlaschart.patients.access import patients_of_clinic

    return patients_of_clinic(actor).select_related("clinic")


def _staff(actor: Actor) -> QuerySet[Any]:
    # Staff are clinic data, not patient data: the clinic's own users, as accounts.access scopes
    # them for the admin pages (that helper takes a request).
    from atlaschart.accounts.models import User

    if actor.clinic_id is None:
        return User.objects.none()
    return User.objects.filter(clinic_id=actor.clinic_id).select_related("clinic")


def _clinic(actor: Actor) -> QuerySet[Any]:
    from atlaschart.clinics.models import Clinic

    if actor.clinic_id is None:
        return Clinic.objects.none()
    return Clinic.objects.filter(pk=actor.clinic_id)


def _responses(actor: Actor) -> QuerySet[Any]:
    from atlaschart.intake.access import responses_of_clinic

    return responses_of_clinic(actor)


def _intakes(actor: Actor) -> QuerySet[Any]:
    from atlaschart.intake.access import intakes_of_clinic

    return intakes_of_clinic(actor)


def _followups(actor: Actor) -> QuerySet[Any]:
    from atlaschart.intake.access import followups_of_clinic

    return followups_of_clinic(actor)


def all_sources() -> list[ResourceSource]:
    return [
        ResourceSource(
            "Patient",
            PATIENT,
            _patients,
            people.build_patient,
            _own_pk,
            lambda p: p.updated_at,
            lambda p: [],
            patient_field="pk",
        ),
        ResourceSource(
            "Organization",
            ORGANIZATION,
            _clinic,
            people.build_organization,
            _none,
            _none,
            _no_codes,
        ),
        ResourceSource(
            "Practitioner",
            PRACTITIONER,
            _staff,
            people.build_practitioner,
            _none,
            _none,
            _no_codes,
        ),
        ResourceSource(
            "QuestionnaireResponse",
            questionnaires.INTAKE_FORM,
            _intakes,
            questionnaires.build_intake_form,
            _patient_of,
            lambda row: row.submitted_at,
            _no_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "QuestionnaireResponse",
            questionnaires.FOLLOWUP_FORM,
            _followups,
            questionnaires.build_followup_form,
            _patient_of,
            lambda row: row.submitted_at,
            _no_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "QuestionnaireResponse",
            questionnaires.RESPONSE,
            _responses,
            questionnaires.build_questionnaire_response,
            _patient_of,
            lambda row: row.recorded_at,
            lambda row: [],
            patient_field="patient_id",
        ),
        ResourceSource(
            "Observation",
            questionnaires.SCORE,
            _responses,
            questionnaires.build_score,
            _patient_of,
            lambda row: row.recorded_at,
            questionnaires.score_codes,
            patient_field="patient_id",
        ),
    ]
