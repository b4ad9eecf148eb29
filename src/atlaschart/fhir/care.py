"""Visits, appointments, consents, treatments, care plans, goals, safety flags, adverse events.

- Visit -> ``Encounter`` (class AMB); the SOAP note and every amendment are its narrative, the
  original text first (a signed note is never edited; the amendments follow with author, time and
  reason).
- Appointment -> ``Appointment``.
- Consents -> ``Consent``: the intake's two (personal data, PIPA art. 15; health data, art. 23),
  the photo consent for reports, and the treatment consents (manual therapy, injection).
- Treatment: an adjustment or manual therapy -> ``Procedure`` (upper cervical adjustment coded
  SNOMED CT 399010004 "Nonsurgical manipulation of cervical spine", the code the HL7 neck
  physical-therapy Procedure example uses; other manual therapy in the local ``treatment``
  system); an injection -> ``MedicationAdministration`` with the drug, dose (mg), concentration
  (mg/mL) and lot in a contained ``Medication``, the site and the guidance.
- Care plan -> ``CarePlan`` (visit frequency, planned visits, re-assessment points) and each goal
  -> ``Goal`` (the instrument's score code, the target in the instrument's direction).
- Safety screen with findings -> ``Flag`` (level and each finding); the answers ->
  ``QuestionnaireResponse``.
- Adverse event -> ``AdverseEvent``.
"""

from __future__ import annotations

import html
from typing import Any

from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from atlaschart.fhir import codes
from atlaschart.fhir.base import (
    algorithm_extension,
    compact,
    fhir_id,
    number,
    patient_ref,
    practitioner_ref,
    reference,
    when,
)
from atlaschart.fhir.observations import key_unit
from atlaschart.fhir.questionnaires import QUESTIONNAIRE_PREFIX, _items
from atlaschart.lib.actor import Actor

VISIT = "visit"
APPOINTMENT = "appointment"
CONSENT = "consent"
CONSENT_PERSONAL = "consent-personal"
CONSENT_HEALTH = "consent-health"
CONSENT_PHOTO = "consent-photo"
PROCEDURE = "procedure"
INJECTION = "injection"
CARE_PLAN = "careplan"
GOAL = "goal"
FLAG = "flag"
SCREEN = "screen"
ADVERSE_EVENT = "adverse-event"

_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def _english(choices: Any, value: str) -> str:
    from django.utils import translation

    with translation.override("en"):
        try:
            return str(choices(value).label)
        except ValueError:
            return value


def _div(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(text).replace(chr(10), '<br/>')}</p>" for text in paragraphs)
    return f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'


# --- Encounter (visits) ---------------------------------------------------------------------


def visit_codes(visit: Any) -> list[tuple[str, str]]:
    kind = visit.appointment.kind if visit.appointment_id else "visit"
    return [(codes.local("appointment-kind"), kind)]


def build_encounter(actor: Actor, visit: Any) -> Encounter:
    from atlaschart.visits.models import AppointmentKind

    paragraphs = []
    for field in ("subjective", "objective", "assessment", "plan"):
        text = getattr(visit, field)
        if text:
            paragraphs.append(f"{field.capitalize()}: {text}")
    for amendment in visit.amendments.select_related("author").order_by("at", "id"):
        paragraphs.append(
            f"Amendment {when(amendment.at)} by {amendment.author} ({amendment.reason}):"
        )
        for field in ("subjective", "objective", "assessment", "plan"):
            text = getattr(amendment, field)
            if text:
                paragraphs.append(f"{field.capitalize()}: {text}")
    kind = visit.appointment.kind if visit.appointment_id else ""
    data = compact(
        {
            "resourceType": "Encounter",
            "id": fhir_id(VISIT, visit.pk),
            "text": {"status": "additional", "div": _div(paragraphs)} if paragraphs else None,
            "status": "finished" if visit.signed_at else "in-progress",
            "class": codes.coding(codes.ACT_CODE, "AMB", "ambulatory"),
            "type": [
                codes.concept(
                    codes.local("appointment-kind"), kind, _english(AppointmentKind, kind)
                )
            ]
            if kind
            else [],
            "subject": patient_ref(visit.patient_id),
            "participant": [
                {
                    "type": [codes.concept(codes.PARTICIPATION_TYPE, "PPRF", "primary performer")],
                    "individual": practitioner_ref(visit.clinician),
                }
            ],
            "appointment": [reference(("Appointment", APPOINTMENT), visit.appointment_id)]
            if visit.appointment_id
            else [],
            "period": {"start": when(visit.visit_date)},
            "serviceProvider": reference(("Organization", "clinic"), visit.patient.clinic_id),
        }
    )
    return Encounter.model_validate(data)


# --- Appointment ----------------------------------------------------------------------------

_APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "done": "fulfilled",
    "no_show": "noshow",
    "cancelled": "cancelled",
}


def appointment_codes(appointment: Any) -> list[tuple[str, str]]:
    return [(codes.local("appointment-kind"), appointment.kind)]


def build_appointment(actor: Actor, appointment: Any) -> Appointment:
    from atlaschart.visits.models import AppointmentKind

    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    data = compact(
        {
            "resourceType": "Appointment",
            "id": fhir_id(APPOINTMENT, appointment.pk),
            "status": _APPOINTMENT_STATUS.get(appointment.status, "booked"),
            "appointmentType": codes.concept(
                codes.local("appointment-kind"),
                appointment.kind,
                _english(AppointmentKind, appointment.kind),
            ),
            "description": appointment.note or None,
            "start": when(appointment.starts_at),
            "end": when(appointment.ends_at),
            "minutesDuration": minutes if minutes > 0 else None,
            "created": when(appointment.created_at),
            "basedOn": [],
            "participant": [
                {"actor": patient_ref(appointment.patient_id), "status": "accepted"},
                {"actor": practitioner_ref(appointment.clinician), "status": "accepted"},
            ],
        }
    )
    return Appointment.model_validate(data)


# --- Consent --------------------------------------------------------------------------------

_CONSENT_CATEGORY = codes.concept(codes.LOINC, "59284-0", "Patient Consent")


def _consent(
    prefix: str,
    pk: int,
    patient_id: int,
    *,
    given: Any,
    withdrawn: Any,
    agreed: bool,
    code: str,
    display: str,
    scope: str,
    rule: str,
    recorded_by: Any = None,
    version: str = "",
) -> Consent:
    scope_display = {"patient-privacy": "Privacy Consent", "treatment": "Treatment"}[scope]
    notes = f"text version {version}" if version else ""
    data = compact(
        {
            "resourceType": "Consent",
            "id": fhir_id(prefix, pk),
            "status": "inactive" if withdrawn else "active",
            "scope": codes.concept(codes.CONSENT_SCOPE, scope, scope_display),
            "category": [_CONSENT_CATEGORY, codes.concept(codes.local("consent"), code, display)],
            "patient": patient_ref(patient_id),
            "dateTime": when(given),
            "performer": [patient_ref(patient_id)],
            "organization": [],
            "policyRule": {"text": rule + (f"; {notes}" if notes else "")},
            "provision": compact(
                {
                    "type": "permit" if agreed else "deny",
                    "period": compact({"start": when(given), "end": when(withdrawn)}),
                }
            ),
            "verification": [
                compact(
                    {
                        "verified": True,
                        "verifiedWith": practitioner_ref(recorded_by),
                        "verificationDate": when(given),
                    }
                )
            ]
            if recorded_by is not None
            else [],
        }
    )
    return Consent.model_validate(data)


def build_intake_consent(actor: Actor, intake: Any, which: str) -> Consent:
    personal = which == "personal"
    agreed = bool(intake.consent_personal if personal else intake.consent_health)
    return _consent(
        CONSENT_PERSONAL if personal else CONSENT_HEALTH,
        intake.pk,
        intake.patient_id,
        given=intake.submitted_at,
        withdrawn=None,
        agreed=agreed,
        code="personal-data" if personal else "health-data",
        display="Collection and use of personal data"
        if personal
        else "Collection and use of health data",
        scope="patient-privacy",
        rule="PIPA art. 15 (personal data)" if personal else "PIPA art. 23 (sensitive data)",
        version=intake.consent_version,
    )


def build_photo_consent(actor: Actor, consent: Any) -> Consent:
    return _consent(
        CONSENT_PHOTO,
        consent.pk,
        consent.patient_id,
        given=consent.given_on,
        withdrawn=consent.withdrawn_on,
        agreed=True,
        code="photos-in-report",
        display="Posture photos shown in the patient report",
        scope="patient-privacy",
        rule="PIPA art. 23 (sensitive data): photos in the report the patient takes home",
        recorded_by=consent.recorded_by,
    )


def build_treatment_consent(actor: Actor, consent: Any) -> Consent:
    from atlaschart.visits.models import ConsentKind

    data = _consent(
        CONSENT,
        consent.pk,
        consent.patient_id,
        given=consent.given_on,
        withdrawn=consent.withdrawn_on,
        agreed=True,
        code=consent.kind,
        display=_english(ConsentKind, consent.kind),
        scope="treatment",
        rule=f"Informed consent: {_english(ConsentKind, consent.kind)}"
        + (f" ({consent.notes})" if consent.notes else ""),
        recorded_by=consent.recorded_by,
    )
    return data


def consent_codes(code: str) -> Any:
    return lambda row: [(codes.local("consent"), code if code else row.kind)]


# --- Procedure and MedicationAdministration (treatments) ------------------------------------


def _technique_components(treatment: Any) -> list[str]:
    settings = (
        treatment.technique_settings if isinstance(treatment.technique_settings, dict) else {}
    )
    lines = []
    for key, value in settings.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            unit, ucum = key_unit(key, settings)
            lines.append(f"{key.replace('_', ' ')}: {value} {unit} (UCUM {ucum})")
        elif value not in (None, ""):
            lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines


def is_cervical_manipulation(treatment: Any) -> bool:
    """An upper cervical adjustment, or spinal manipulation of the neck: SNOMED CT 399010004."""
    if treatment.kind == "uc_adjustment":
        return True
    settings = (
        treatment.technique_settings if isinstance(treatment.technique_settings, dict) else {}
    )
    return (
        treatment.kind == "manual_therapy"
        and treatment.technique == "manipulation"
        and settings.get("region") == "cervical"
    )


def procedure_codes(treatment: Any) -> list[tuple[str, str]]:
    found = [(codes.local("treatment"), treatment.kind)]
    if is_cervical_manipulation(treatment):
        found.append((codes.SNOMED, codes.SNOMED_CERVICAL_MANIPULATION.code))
    if treatment.technique:
        found.append((codes.local("treatment"), f"technique-{treatment.technique}"))
    return found


def _treatment_status(treatment: Any) -> str:
    return "completed" if treatment.signed_at else "in-progress"


def build_procedure(actor: Actor, treatment: Any) -> Procedure:
    from atlaschart.visits.models import TreatmentKind
    from atlaschart.visits.techniques import technique_label

    kind_display = _english(TreatmentKind, treatment.kind)
    coding = [codes.coding(codes.local("treatment"), treatment.kind, kind_display)]
    if is_cervical_manipulation(treatment):
        sct = codes.SNOMED_CERVICAL_MANIPULATION
        coding.insert(0, codes.coding(sct.system, sct.code, sct.display))
    visit = treatment.visit
    from django.utils import translation

    with translation.override("en"):
        technique = technique_label(treatment.technique) if treatment.technique else ""
    notes = [{"text": line} for line in _technique_components(treatment)]
    if treatment.listing:
        notes.insert(0, {"text": f"listing: {treatment.listing}"})
    if treatment.description:
        notes.append({"text": treatment.description})
    if treatment.safety_level_at_signing:
        notes.append({"text": f"safety level when signed: {treatment.safety_level_at_signing}"})
    if not treatment.signed_at:
        notes.append({"text": "not signed"})
    settings = (
        treatment.technique_settings if isinstance(treatment.technique_settings, dict) else {}
    )
    region = str(settings.get("region") or "")
    body_site = []
    if treatment.kind == "uc_adjustment":
        body_site.append(
            codes.concept(codes.local("body-region"), "upper_cervical", "Upper cervical spine")
        )
    elif region:
        body_site.append(codes.concept(codes.local("body-region"), region, region))
    data = compact(
        {
            "resourceType": "Procedure",
            "id": fhir_id(PROCEDURE, treatment.pk),
            "status": _treatment_status(treatment),
            "category": codes.concept(codes.local("treatment"), treatment.kind, kind_display),
            "code": {
                "coding": coding,
                "text": " · ".join(p for p in (kind_display, technique) if p),
            },
            "subject": patient_ref(visit.patient_id),
            "encounter": reference(("Encounter", VISIT), visit.pk),
            "performedDateTime": when(treatment.signed_at) or when(visit.visit_date),
            "recorder": practitioner_ref(visit.clinician),
            "performer": [{"actor": practitioner_ref(treatment.signed_by or visit.clinician)}],
            "bodySite": body_site,
            "usedCode": [
                codes.concept(
                    codes.local("treatment"), f"technique-{treatment.technique}", technique
                )
            ]
            if treatment.technique
            else [],
            "note": notes,
            "complication": [{"text": treatment.complications}] if treatment.complications else [],
        }
    )
    if treatment.contact_side:
        data.setdefault("note", []).append({"text": f"contact side: {treatment.contact_side}"})
    return Procedure.model_validate(data)


def injection_codes(treatment: Any) -> list[tuple[str, str]]:
    return [(codes.local("treatment"), "injection")]


def build_injection(actor: Actor, treatment: Any) -> MedicationAdministration:
    visit = treatment.visit
    dose = number(treatment.dose_mg)
    volume = number(treatment.volume_ml)
    concentration = number(treatment.concentration_mg_per_ml)
    medication = compact(
        {
            "resourceType": "Medication",
            "id": "drug",
            "code": {"text": treatment.drug or "not recorded"},
            "ingredient": [
                {
                    "itemCodeableConcept": {"text": treatment.drug or "not recorded"},
                    "strength": {
                        "numerator": codes.quantity(concentration, "mg"),
                        "denominator": codes.quantity(1, "mL"),
                    },
                }
            ]
            if concentration is not None
            else [],
            "batch": compact(
                {
                    "lotNumber": treatment.lot_number or None,
                    "expirationDate": when(treatment.expiry_date),
                }
            ),
        }
    )
    dosage = compact(
        {
            "site": {"text": treatment.site} if treatment.site else None,
            "method": {"text": f"guidance: {treatment.guidance}"} if treatment.guidance else None,
            "dose": codes.quantity(dose, "mg") if dose is not None else None,
            "text": f"volume {volume} mL" if volume is not None else None,
        }
    )
    notes = []
    if treatment.physician:
        notes.append({"text": f"physician: {treatment.physician}"})
    if treatment.complications:
        notes.append({"text": f"complications: {treatment.complications}"})
    if not treatment.signed_at:
        notes.append({"text": "not signed"})
    data = compact(
        {
            "resourceType": "MedicationAdministration",
            "id": fhir_id(INJECTION, treatment.pk),
            "contained": [medication],
            "status": _treatment_status(treatment),
            "category": codes.concept(
                codes.local("treatment"), "injection", "Injection or nerve block"
            ),
            "medicationReference": {"reference": "#drug", "display": treatment.drug or None},
            "subject": patient_ref(visit.patient_id),
            "context": reference(("Encounter", VISIT), visit.pk),
            "effectiveDateTime": when(treatment.administered_at)
            or when(treatment.signed_at)
            or when(visit.visit_date),
            "performer": [{"actor": practitioner_ref(treatment.signed_by or visit.clinician)}],
            "supportingInformation": [reference(("Consent", CONSENT), treatment.consent_id)]
            if treatment.consent_id
            else [],
            "note": notes,
            "dosage": dosage or None,
        }
    )
    if data.get("medicationReference", {}).get("display") is None:
        data["medicationReference"].pop("display", None)
    return MedicationAdministration.model_validate(data)


# --- CarePlan and Goal ----------------------------------------------------------------------


def build_care_plan(actor: Actor, plan: Any) -> CarePlan:
    notes = []
    if plan.reexam_dates:
        notes.append({"text": "re-examination dates: " + ", ".join(map(str, plan.reexam_dates))})
    if plan.reassess_after_visits:
        notes.append(
            {"text": "re-assess after visit " + ", ".join(map(str, plan.reassess_after_visits))}
        )
    if plan.reassess_weeks:
        notes.append({"text": "re-assess at week " + ", ".join(map(str, plan.reassess_weeks))})
    if plan.notes:
        notes.append({"text": plan.notes})
    data = compact(
        {
            "resourceType": "CarePlan",
            "id": fhir_id(CARE_PLAN, plan.pk),
            "status": "active",
            "intent": "plan",
            "title": "Care plan",
            "subject": patient_ref(plan.patient_id),
            "period": {"start": when(plan.start_date)},
            "created": when(plan.created_at),
            "author": practitioner_ref(plan.created_by),
            "goal": [reference(("Goal", GOAL), goal.pk) for goal in plan.goals.all()],
            "activity": [
                {
                    "detail": {
                        "kind": "Appointment",
                        "code": codes.concept(
                            codes.local("appointment-kind"), "adjustment", "Adjustment"
                        ),
                        "status": "in-progress",
                        "scheduledTiming": {
                            "repeat": {
                                "count": plan.planned_visits,
                                "frequency": 1,
                                "period": plan.interval_days,
                                "periodUnit": "d",
                            }
                        },
                        "description": f"{plan.planned_visits} visits, one every "
                        f"{plan.interval_days} d",
                    }
                }
            ],
            "note": notes,
        }
    )
    return CarePlan.model_validate(data)


def goal_codes(goal: Any) -> list[tuple[str, str]]:
    if not goal.measure:
        return []
    score = codes.score_code(goal.measure, goal.measure)
    return [(score.system, score.code)]


def build_goal(actor: Actor, goal: Any) -> Goal:
    from atlaschart.measure.instruments.catalogue import INSTRUMENTS

    plan = goal.care_plan
    target: dict[str, Any] = {}
    if goal.measure:
        instrument = INSTRUMENTS.get(goal.measure)
        score = codes.score_code(goal.measure, instrument.name if instrument else goal.measure)
        target["measure"] = codes.concept(score.system, score.code, score.display)
        value = number(goal.target_value)
        if value is not None:
            better_high = instrument is not None and instrument.direction == "higher-is-better"
            quantity = codes.quantity(value, "{score}")
            quantity["comparator"] = ">=" if better_high else "<="
            target["detailQuantity"] = quantity
        elif goal.target:
            target["detailString"] = goal.target
    elif goal.target:
        target["detailString"] = goal.target
    if goal.target_date:
        target["dueDate"] = when(goal.target_date)
    data = compact(
        {
            "resourceType": "Goal",
            "id": fhir_id(GOAL, goal.pk),
            "lifecycleStatus": "active",
            "description": {"text": goal.description},
            "subject": patient_ref(plan.patient_id),
            "startDate": when(plan.start_date),
            "expressedBy": practitioner_ref(plan.created_by),
            "target": [target] if target else [],
            "note": [{"text": f"measured by {goal.measure}"}] if goal.measure else [],
        }
    )
    return Goal.model_validate(data)


# --- Flag and the screen's answers ----------------------------------------------------------


def flag_codes(screen: Any) -> list[tuple[str, str]]:
    return [(codes.local("safety"), f"level-{screen.level}")] + [
        (codes.local("safety"), str(f.get("rule")))
        for f in screen.findings or []
        if isinstance(f, dict) and f.get("rule")
    ]


def build_flag(actor: Actor, screen: Any) -> Flag:
    findings = [f for f in screen.findings or [] if isinstance(f, dict)]
    reasons = "; ".join(str(f.get("reason") or f.get("rule")) for f in findings)
    acks = [
        f"{ack.rule}: {ack.action} by {ack.by} at {when(ack.at)}"
        + (f" ({ack.reason})" if ack.reason else "")
        for ack in screen.acks.select_related("by").all()
    ]
    latest = (
        type(screen)
        .objects.filter(clinic_id=screen.clinic_id, patient_id=screen.patient_id)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    coding = [codes.coding(codes.local("safety"), f"level-{screen.level}", f"Level {screen.level}")]
    coding += [
        codes.coding(codes.local("safety"), str(f.get("rule")), str(f.get("reason") or "")[:200])
        for f in findings
        if f.get("rule")
    ]
    data = compact(
        {
            "resourceType": "Flag",
            "id": fhir_id(FLAG, screen.pk),
            "extension": algorithm_extension(f"safety.screen@{screen.rules_version}"),
            "text": {"status": "additional", "div": _div([reasons, *acks])} if reasons else None,
            "status": "active" if latest == screen.pk else "inactive",
            "category": [
                codes.concept(codes.FLAG_CATEGORY, "safety", "Safety"),
            ],
            "code": {
                "coding": coding,
                "text": f"Safety screen level {screen.level}: {reasons}"[:1000],
            },
            "subject": patient_ref(screen.patient_id),
            "period": {"start": when(screen.created_at)},
            "author": practitioner_ref(screen.created_by),
        }
    )
    return Flag.model_validate(data)


def build_screen_answers(actor: Actor, screen: Any) -> QuestionnaireResponse:
    author = practitioner_ref(screen.created_by) or patient_ref(screen.patient_id)
    data = compact(
        {
            "resourceType": "QuestionnaireResponse",
            "id": fhir_id(SCREEN, screen.pk),
            "questionnaire": f"{QUESTIONNAIRE_PREFIX}safety-screen|{screen.rules_version}",
            "status": "completed",
            "subject": patient_ref(screen.patient_id),
            "authored": when(screen.created_at),
            "author": author,
            "source": patient_ref(screen.patient_id) if screen.source == "intake" else author,
            "item": _items(screen.answers),
        }
    )
    return QuestionnaireResponse.model_validate(data)


# --- AdverseEvent ---------------------------------------------------------------------------


def build_adverse_event(actor: Actor, event: Any) -> AdverseEvent:
    notes = [
        f"severity {event.severity_0_10} /10 (NPRS points)",
        f"onset {event.onset_h} h after treatment",
    ]
    if event.duration_h is not None:
        notes.append(f"lasted {event.duration_h} h")
    if event.baseline_severity_0_10 is not None:
        notes.append(f"severity before treatment {event.baseline_severity_0_10} /10")
    if event.serious_criteria:
        notes.append("serious criteria: " + ", ".join(map(str, event.serious_criteria)))
    data = compact(
        {
            "resourceType": "AdverseEvent",
            "id": fhir_id(ADVERSE_EVENT, event.pk),
            "extension": algorithm_extension(event.algorithm),
            "text": {"status": "additional", "div": _div([event.description, *notes])},
            "actuality": "actual",
            "event": {
                "coding": [
                    codes.coding(
                        codes.local("safety"),
                        f"adverse-{event.classification}",
                        f"Adverse event, {event.classification} (exam core classification)",
                    )
                ],
                "text": event.description,
            },
            "subject": patient_ref(event.patient_id),
            "encounter": reference(("Encounter", VISIT), event.visit_id),
            "date": when(event.reported_at),
            "recordedDate": when(event.reported_at),
            "recorder": practitioner_ref(event.reported_by),
            "seriousness": codes.concept(
                "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                "serious" if event.serious_criteria else "non-serious",
                "Serious" if event.serious_criteria else "Non-serious",
            ),
        }
    )
    return AdverseEvent.model_validate(data)
