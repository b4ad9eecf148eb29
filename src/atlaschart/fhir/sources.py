"""The table of :class:`~atlaschart.fhir.registry.ResourceSource`: which rows, through which
door, make which resource. Order is the Bundle's order (the patient first)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from atlaschart.fhir import audit, care, codes, imaging, observations, people, questionnaires
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
    patient_id: int | None = row.patient_id
    return patient_id


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


def _exams(actor: Actor) -> QuerySet[Any]:
    from atlaschart.exams.access import exams_of_clinic

    return exams_of_clinic(actor).select_related("examiner")


def _bp_arm(side: str) -> Any:
    def rows(actor: Actor) -> QuerySet[Any]:
        return _exams(actor).filter(
            kind="blood_pressure", **{f"raw__{side}_systolic__isnull": False}
        )

    return rows


def _shots(actor: Actor) -> QuerySet[Any]:
    from atlaschart.posture.access import shots_of_clinic

    return shots_of_clinic(actor).select_related("session", "session__clinician", "created_by")


def _visits(actor: Actor) -> QuerySet[Any]:
    from atlaschart.visits.access import visits_of_clinic

    return visits_of_clinic(actor).select_related("patient", "clinician", "appointment")


def _appointments(actor: Actor) -> QuerySet[Any]:
    from atlaschart.visits.access import appointments_of_clinic

    return appointments_of_clinic(actor).select_related("clinician")


def _treatments(*kinds: str) -> Any:
    def rows(actor: Actor) -> QuerySet[Any]:
        from atlaschart.visits.access import treatments_of_clinic

        return (
            treatments_of_clinic(actor)
            .filter(kind__in=kinds)
            .select_related("visit", "visit__clinician", "signed_by")
        )

    return rows


def _consents(actor: Actor) -> QuerySet[Any]:
    from atlaschart.visits.access import consents_of_clinic

    return consents_of_clinic(actor).select_related("recorded_by")


def _photo_consents(actor: Actor) -> QuerySet[Any]:
    from atlaschart.reports.access import photo_consents_of_clinic

    return photo_consents_of_clinic(actor).select_related("recorded_by")


def _intake_consents(field: str) -> Any:
    def rows(actor: Actor) -> QuerySet[Any]:
        return _intakes(actor).filter(**{f"{field}__isnull": False})

    return rows


def _care_plans(actor: Actor) -> QuerySet[Any]:
    from atlaschart.visits.access import care_plans_of_clinic

    return care_plans_of_clinic(actor).select_related("created_by")


def _goals(actor: Actor) -> QuerySet[Any]:
    # Goals have no door of their own: they are reached through their care plan's.
    from atlaschart.visits.models import CarePlanGoal

    return CarePlanGoal.objects.filter(care_plan__in=_care_plans(actor)).select_related(
        "care_plan", "care_plan__created_by"
    )


def _screens(actor: Actor) -> QuerySet[Any]:
    from atlaschart.safety.access import screens_of_clinic

    return screens_of_clinic(actor).select_related("created_by")


def _flagged_screens(actor: Actor) -> QuerySet[Any]:
    return _screens(actor).exclude(findings=[])


def _adverse_events(actor: Actor) -> QuerySet[Any]:
    from atlaschart.visits.access import adverse_events_of_clinic

    return adverse_events_of_clinic(actor).select_related("reported_by")


def _studies(actor: Actor) -> QuerySet[Any]:
    from atlaschart.imaging_studies.access import studies_of_clinic

    return studies_of_clinic(actor)


def _analyses(actor: Actor) -> QuerySet[Any]:
    from atlaschart.imaging_studies.access import analyses_of_clinic

    return analyses_of_clinic(actor).select_related(
        "instance", "instance__series", "listing_table", "created_by"
    )


def _access_log(actor: Actor) -> QuerySet[Any]:
    # The clinic's own access log, as the admin's log pages scope it (audit/review.py): the rows
    # that name a patient (a patient's access history; the clinic's other rows, sign-ins and
    # settings, are not part of any patient's record).
    from atlaschart.audit.models import AccessLogEntry

    if actor.clinic_id is None:
        return AccessLogEntry.objects.none()
    return AccessLogEntry.objects.filter(
        clinic_id=actor.clinic_id, patient__isnull=False
    ).select_related("user", "clinic")


def _region_rows(form: str, region: str) -> Any:
    def rows(actor: Actor) -> QuerySet[Any]:
        forms = _intakes(actor) if form == "intake" else _followups(actor)
        key = f"answers__pain_{region}"
        return forms.filter(**{f"{key}__isnull": False}).exclude(**{key: ""})

    return rows


def _region_source(form: str, region: str, name: str) -> ResourceSource:
    nprs = codes.LOINC_SCORES["nprs"]
    local = codes.local("body-region")

    def build(actor: Actor, row: Any) -> Any:
        return observations.build_region_pain(actor, row, region, name, form)

    return ResourceSource(
        "Observation",
        observations.region_prefix(region, form),
        _region_rows(form, region),
        build,
        _patient_of,
        lambda row: row.submitted_at,
        lambda row: [(nprs.system, nprs.code), (local, region)],
        patient_field="patient_id",
    )


def _bound(builder: Any, *args: Any) -> Any:
    def build(actor: Actor, row: Any) -> Any:
        return builder(actor, row, *args)

    return build


def _created(row: Any) -> Any:
    return row.created_at


def _visit_patient(row: Any) -> int:
    return int(row.visit.patient_id)


def all_sources() -> list[ResourceSource]:
    regions = [
        _region_source(form, key, name)
        for form in ("intake", "followup")
        for key, name in observations.region_names()
    ]
    return [
        *_people_and_forms(),
        # Observations: scores, pain per region, exams, blood pressure, posture.
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
        *regions,
        ResourceSource(
            "Observation",
            observations.EXAM,
            _exams,
            observations.build_exam,
            _patient_of,
            _created,
            observations.exam_codes,
            patient_field="patient_id",
        ),
        *(
            ResourceSource(
                "Observation",
                prefix,
                _bp_arm(side),
                _bound(observations.build_blood_pressure, side),
                _patient_of,
                _created,
                observations.bp_codes,
                patient_field="patient_id",
            )
            for side, prefix in (("left", observations.BP_LEFT), ("right", observations.BP_RIGHT))
        ),
        ResourceSource(
            "Observation",
            observations.POSTURE,
            _shots,
            observations.build_posture,
            lambda shot: shot.session.patient_id,
            lambda shot: shot.session.taken_on,
            observations.posture_codes,
            patient_field="session__patient_id",
        ),
        ResourceSource(
            "Media",
            observations.PHOTO,
            _shots,
            observations.build_photo,
            lambda shot: shot.session.patient_id,
            lambda shot: shot.created_at,
            lambda shot: [],
            patient_field="session__patient_id",
        ),
        # Care.
        ResourceSource(
            "Encounter",
            care.VISIT,
            _visits,
            care.build_encounter,
            _patient_of,
            lambda visit: visit.visit_date,
            care.visit_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "Appointment",
            care.APPOINTMENT,
            _appointments,
            care.build_appointment,
            _patient_of,
            lambda row: row.starts_at,
            care.appointment_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "Consent",
            care.CONSENT_PERSONAL,
            _intake_consents("consent_personal"),
            _bound(care.build_intake_consent, "personal"),
            _patient_of,
            lambda row: row.submitted_at,
            care.consent_codes("personal-data"),
            patient_field="patient_id",
        ),
        ResourceSource(
            "Consent",
            care.CONSENT_HEALTH,
            _intake_consents("consent_health"),
            _bound(care.build_intake_consent, "health"),
            _patient_of,
            lambda row: row.submitted_at,
            care.consent_codes("health-data"),
            patient_field="patient_id",
        ),
        ResourceSource(
            "Consent",
            care.CONSENT_PHOTO,
            _photo_consents,
            care.build_photo_consent,
            _patient_of,
            lambda row: row.given_on,
            care.consent_codes("photos-in-report"),
            patient_field="patient_id",
        ),
        ResourceSource(
            "Consent",
            care.CONSENT,
            _consents,
            care.build_treatment_consent,
            _patient_of,
            lambda row: row.given_on,
            care.consent_codes(""),
            patient_field="patient_id",
        ),
        ResourceSource(
            "Procedure",
            care.PROCEDURE,
            _treatments("uc_adjustment", "manual_therapy"),
            care.build_procedure,
            _visit_patient,
            lambda row: row.signed_at or row.visit.visit_date,
            care.procedure_codes,
            patient_field="visit__patient_id",
        ),
        ResourceSource(
            "MedicationAdministration",
            care.INJECTION,
            _treatments("injection"),
            care.build_injection,
            _visit_patient,
            lambda row: row.administered_at or row.signed_at or row.visit.visit_date,
            care.injection_codes,
            patient_field="visit__patient_id",
        ),
        ResourceSource(
            "CarePlan",
            care.CARE_PLAN,
            _care_plans,
            care.build_care_plan,
            _patient_of,
            lambda row: row.start_date,
            _no_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "Goal",
            care.GOAL,
            _goals,
            care.build_goal,
            lambda goal: goal.care_plan.patient_id,
            lambda goal: goal.target_date or goal.care_plan.start_date,
            care.goal_codes,
            patient_field="care_plan__patient_id",
        ),
        ResourceSource(
            "Flag",
            care.FLAG,
            _flagged_screens,
            care.build_flag,
            _patient_of,
            _created,
            care.flag_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "QuestionnaireResponse",
            care.SCREEN,
            _screens,
            care.build_screen_answers,
            _patient_of,
            _created,
            _no_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "AdverseEvent",
            care.ADVERSE_EVENT,
            _adverse_events,
            care.build_adverse_event,
            _patient_of,
            lambda row: row.reported_at,
            lambda row: [(codes.local("safety"), f"adverse-{row.classification}")],
            patient_field="patient_id",
        ),
        # Imaging.
        ResourceSource(
            "ImagingStudy",
            imaging.STUDY,
            _studies,
            imaging.build_imaging_study,
            _patient_of,
            _created,
            imaging.study_codes,
            patient_field="patient_id",
        ),
        ResourceSource(
            "DiagnosticReport",
            imaging.ANALYSIS,
            _analyses,
            imaging.build_uc_analysis,
            _patient_of,
            _created,
            imaging.analysis_codes,
            patient_field="patient_id",
        ),
        # The patient's access log.
        ResourceSource(
            "AuditEvent",
            audit.AUDIT,
            _access_log,
            audit.build_audit_event,
            _patient_of,
            lambda row: row.at,
            audit.audit_codes,
            patient_field="patient_id",
        ),
    ]


def _people_and_forms() -> list[ResourceSource]:
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
    ]
