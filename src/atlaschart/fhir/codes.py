"""The code systems and codes the FHIR export uses, in one place (docs/fhir.md lists them).

External systems are used only for codes taken from a named source: LOINC codes from the HL7 and
PACIO implementation guides cited in docs/fhir.md, the vital-signs profile's mandatory codes, the
SNOMED CT manipulation codes of the HL7 neck physical-therapy Procedure example, UCUM units.
Everything AtlasChart measures that has no published code (leg checks, posture angles, the upper
cervical constructs, most questionnaires) gets a code in a *local* CodeSystem under
``urn:atlaschart:fhir:CodeSystem:<name>``: a URN rather than a web address, because AtlasChart has
no registry to publish at; the codes are listed in docs/fhir.md and the export carries each
one's display text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
VITAL_SIGNS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
BP_PROFILE = "http://hl7.org/fhir/StructureDefinition/bp"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
LANGUAGE = "urn:ietf:bcp:47"
DICOM_UID = "urn:dicom:uid"
DICOM_MODALITY = "http://dicom.nema.org/resources/ontology/DCM"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY = "http://loinc.org"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
DIAGNOSTIC_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"
AUDIT_EVENT_TYPE = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_ACTION = "http://hl7.org/fhir/audit-event-action"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ROUTE = "http://snomed.info/sct"

LOCAL_PREFIX = "urn:atlaschart:fhir:CodeSystem:"


def local(name: str) -> str:
    """The system URI of one of AtlasChart's local CodeSystems (docs/fhir.md)."""
    return f"{LOCAL_PREFIX}{name}"


#: Local CodeSystems, by name: what each holds (docs/fhir.md repeats this table).
LOCAL_SYSTEMS: dict[str, str] = {
    "score": "Questionnaire scores without a LOINC code (one code per instrument id)",
    "body-region": "Regions of the intake body map (pain_<region> keys)",
    "pain-quality": "Pain qualities of the body map (quality_<region> answers)",
    "posture-metric": "Posture metrics measured from photos (metric keys of measure/posture)",
    "exam": "Examinations without a LOINC code (exam kinds) and their findings",
    "radiograph": "Upper cervical radiograph constructs (measure/radiograph)",
    "treatment": "Treatment kinds and techniques without a SNOMED CT code",
    "safety": "Safety screen levels and findings",
    "consent": "Consents AtlasChart records (intake data, health data, photos, treatments)",
    "audit-action": "Access-log actions (audit.Action)",
    "appointment-kind": "Appointment and visit kinds",
    "staff-role": "Staff roles (accounts.Role)",
}


def patient_identifier_system(clinic_slug: str) -> str:
    """The chart-number identifier system of one clinic: chart numbers are unique per clinic only,
    so the system names the clinic."""
    return f"urn:atlaschart:clinic:{clinic_slug}:chart-number"


def staff_identifier_system(clinic_slug: str) -> str:
    return f"urn:atlaschart:clinic:{clinic_slug}:staff"


def clinic_identifier_system() -> str:
    return "urn:atlaschart:clinic"


def coding(system: str, code: str, display: str = "") -> dict[str, str]:
    data = {"system": system, "code": code}
    if display:
        data["display"] = display
    return data


def concept(system: str, code: str, display: str = "", text: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {"coding": [coding(system, code, display)]}
    if text or display:
        data["text"] = text or display
    return data


def quantity(value: float | int, unit: str, code: str | None = None) -> dict[str, Any]:
    """A UCUM quantity: ``unit`` is the human unit, ``code`` the UCUM code (the same unless
    given)."""
    return {"value": value, "unit": unit, "system": UCUM, "code": code or unit}


def category(code: str) -> list[dict[str, Any]]:
    """Observation.category from the HL7 observation-category system (survey, exam,
    vital-signs, imaging)."""
    displays = {
        "survey": "Survey",
        "exam": "Exam",
        "vital-signs": "Vital Signs",
        "imaging": "Imaging",
        "procedure": "Procedure",
    }
    return [concept(OBSERVATION_CATEGORY, code, displays[code])]


# --- questionnaire scores -----------------------------------------------------------------


@dataclass(frozen=True)
class ScoreCode:
    system: str
    code: str
    display: str
    source: str = ""


#: LOINC score codes found in published implementation guides (docs/fhir.md names each source).
#: Every other instrument is coded in the local ``score`` CodeSystem by its instrument id.
LOINC_SCORES: dict[str, ScoreCode] = {
    "nprs": ScoreCode(
        LOINC,
        "72514-3",
        "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        "HL7 Belgium patient-monitoring IG, ValueSet pain-scale",
    ),
    "ndi": ScoreCode(
        LOINC,
        "82237-9",
        "Neck disability index score",
        "HL7 PACIO sample data, EX_jd1_questionnaire-ndi",
    ),
    "odi": ScoreCode(
        LOINC,
        "97909-6",
        "Oswestry Disability Index score",
        "HL7 PACIO sample data, EX_jd1_questionnaire-odi",
    ),
}

#: LOINC questionnaire (panel) codes, for QuestionnaireResponse.questionnaire's display.
LOINC_PANELS: dict[str, str] = {"ndi": "82226-2", "odi": "97908-8"}


def score_code(instrument_id: str, name: str) -> ScoreCode:
    found = LOINC_SCORES.get(instrument_id)
    if found is not None:
        return found
    return ScoreCode(local("score"), instrument_id, f"{name} score")


# --- vital signs (the FHIR vital-signs profile's mandatory codes) ------------------------------

BP_PANEL = ScoreCode(LOINC, "85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC = ScoreCode(LOINC, "8480-6", "Systolic blood pressure")
BP_DIASTOLIC = ScoreCode(LOINC, "8462-4", "Diastolic blood pressure")
HEART_RATE = ScoreCode(LOINC, "8867-4", "Heart rate")

# --- SNOMED CT (only codes a cited source gives) ------------------------------------------------

#: HL7 FHIR procedure-example-physicaltherapy-neck: "Nonsurgical manipulation of cervical spine".
SNOMED_CERVICAL_MANIPULATION = ScoreCode(
    SNOMED, "399010004", "Nonsurgical manipulation of cervical spine"
)
SNOMED_LEFT = ScoreCode(SNOMED, "7771000", "Left")
SNOMED_RIGHT = ScoreCode(SNOMED, "24028007", "Right")
