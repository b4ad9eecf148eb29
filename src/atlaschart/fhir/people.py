"""Patient, Practitioner and Organization (the clinic).

The patient's identifier is the clinic's chart number, in a system that names the clinic. No
resident registration number (주민등록번호) is exported: AtlasChart does not hold one, and the
export never looks for one in free text either (docs/fhir.md).
"""

from __future__ import annotations

import re
from typing import Any

from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner

from atlaschart.fhir import codes
from atlaschart.fhir.base import (
    ORGANIZATION,
    PATIENT,
    PRACTITIONER,
    compact,
    fhir_id,
    organization_ref,
)
from atlaschart.lib.actor import Actor

#: Korean family names of two syllables (the others are one syllable): 남궁 김 -> family 남궁.
TWO_SYLLABLE_FAMILY_NAMES = frozenset(
    {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절", "장곡"}
)
_HANGUL_NAME = re.compile(r"^[\uac00-\ud7a3]{2,5}$")

_LANGUAGE_DISPLAY = {"ko": "Korean", "en": "English"}
_ROLE_DISPLAY = {"admin": "Clinic admin", "clinician": "Clinician", "front_desk": "Front desk"}
_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def korean_name_parts(name: str) -> tuple[str, str] | None:
    """(family, given) of a Hangul name written family-first without a space (김민준 -> 김,
    민준); ``None`` when the name is not of that form (then only ``text`` is given)."""
    compact_name = name.strip()
    if not _HANGUL_NAME.match(compact_name):
        return None
    if compact_name[:2] in TWO_SYLLABLE_FAMILY_NAMES and len(compact_name) >= 3:
        return compact_name[:2], compact_name[2:]
    return compact_name[:1], compact_name[1:]


def human_names(patient: Any) -> list[dict[str, Any]]:
    """The name as the patient writes it (Korean order in ``text``), and the Latin form."""
    official: dict[str, Any] = {"use": "official", "text": patient.name}
    parts = korean_name_parts(patient.name)
    if parts is not None:
        official["family"], given = parts
        official["given"] = [given]
    names = [official]
    if patient.name_latin.strip():
        latin = patient.name_latin.strip()
        entry: dict[str, Any] = {"use": "usual", "text": latin}
        words = latin.split()
        if len(words) >= 2:
            # Latin forms are written given-name first ("Minjun Kim").
            entry["given"] = words[:-1]
            entry["family"] = words[-1]
        names.append(entry)
    return names


def build_patient(actor: Actor, patient: Any) -> FhirPatient:
    clinic = patient.clinic
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "mobile"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    language = patient.preferred_language or "ko"
    data = compact(
        {
            "resourceType": "Patient",
            "id": fhir_id(PATIENT, patient.pk),
            "identifier": [
                {
                    "use": "usual",
                    "type": codes.concept(
                        "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "MR",
                        "Medical record number",
                    ),
                    "system": codes.patient_identifier_system(clinic.slug),
                    "value": patient.chart_number,
                    "assigner": organization_ref(clinic),
                }
            ],
            "active": patient.archived_at is None,
            "name": human_names(patient),
            "telecom": telecom,
            "gender": _GENDER.get(patient.sex, "unknown"),
            "birthDate": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
            "address": [{"text": patient.address}] if patient.address else [],
            "communication": [
                {
                    "language": codes.concept(
                        codes.LANGUAGE, language, _LANGUAGE_DISPLAY.get(language, language)
                    ),
                    "preferred": True,
                }
            ],
            "managingOrganization": organization_ref(clinic),
        }
    )
    return FhirPatient.model_validate(data)


def build_practitioner(actor: Actor, user: Any) -> Practitioner:
    clinic_slug = user.clinic.slug if user.clinic_id else "none"
    name = str(user)
    data = compact(
        {
            "resourceType": "Practitioner",
            "id": fhir_id(PRACTITIONER, user.pk),
            "identifier": [
                {"system": codes.staff_identifier_system(clinic_slug), "value": user.username}
            ],
            "active": bool(user.is_active),
            "name": [{"text": name}],
            "qualification": [
                {
                    "code": codes.concept(
                        codes.local("staff-role"), user.role, _ROLE_DISPLAY.get(user.role, "")
                    )
                }
            ],
        }
    )
    return Practitioner.model_validate(data)


def build_organization(actor: Actor, clinic: Any) -> Organization:
    telecom = [{"system": "phone", "value": clinic.phone}] if clinic.phone else []
    data = compact(
        {
            "resourceType": "Organization",
            "id": fhir_id(ORGANIZATION, clinic.pk),
            "identifier": [{"system": codes.clinic_identifier_system(), "value": clinic.slug}],
            "active": True,
            "type": [
                codes.concept(
                    "http://terminology.hl7.org/CodeSystem/organization-type",
                    "prov",
                    "Healthcare Provider",
                )
            ],
            "name": clinic.name,
            "telecom": telecom,
            "address": [{"text": clinic.address}] if clinic.address else [],
        }
    )
    return Organization.model_validate(data)
