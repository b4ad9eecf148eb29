"""QuestionnaireResponse for each questionnaire and each intake or follow-up form, and one score
Observation (category ``survey``) per scored questionnaire, derived from its response.

A questionnaire's answers are exported as the item ids and scores the core scores (``q1`` ..
``qN``): licensed wording is the clinic's, not ours to copy into an export. The score keeps its
algorithm (``id@version``) in the provenance extension.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirQR

from atlaschart.fhir import codes
from atlaschart.fhir.base import (
    algorithm_extension,
    compact,
    fhir_id,
    number,
    patient_ref,
    reference,
    when,
)
from atlaschart.lib.actor import Actor
from atlaschart.measure.instruments.catalogue import INSTRUMENTS
from atlaschart.measure.instruments.names import display_name

#: Id prefixes (registry.py).
RESPONSE = "qr"
INTAKE_FORM = "intake"
FOLLOWUP_FORM = "followup"
SCORE = "score"

#: The Questionnaire canonical of an AtlasChart instrument, with its version (urn: there is no
#: published Questionnaire resource to point at; the instrument is described in
#: docs/instruments.md).
QUESTIONNAIRE_PREFIX = "urn:atlaschart:fhir:Questionnaire:"


def questionnaire_canonical(instrument_id: str, version: str) -> str:
    return f"{QUESTIONNAIRE_PREFIX}{instrument_id}|{version}"


def _answer_value(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def _items(answers: Any) -> list[dict[str, Any]]:
    """One item per answered key, in the stored order; lists become repeated answers, nested
    objects (PSFS activities) nested items."""
    items: list[dict[str, Any]] = []
    if not isinstance(answers, dict):
        return items
    for key, value in answers.items():
        link_id = str(key)[:255] or "item"
        if isinstance(value, dict):
            nested = _items(value)
            if nested:
                items.append({"linkId": link_id, "item": nested})
            continue
        values = value if isinstance(value, list) else [value]
        answer = [a for a in (_answer_value(v) for v in values if not isinstance(v, dict)) if a]
        nested_dicts = [v for v in values if isinstance(v, dict)]
        entry: dict[str, Any] = {"linkId": link_id}
        if answer:
            entry["answer"] = answer
        for index, nested_value in enumerate(nested_dicts, start=1):
            nested = _items(nested_value)
            if nested:
                entry.setdefault("item", []).append(
                    {"linkId": f"{link_id}.{index}", "item": nested}
                )
        if "answer" in entry or "item" in entry:
            items.append(entry)
    return items


def instrument_display(instrument_id: str) -> str:
    return display_name(instrument_id, "en")


def build_questionnaire_response(actor: Actor, response: Any) -> FhirQR:
    """A scored questionnaire (intake.QuestionnaireResponse) as answered."""
    data = compact(
        {
            "resourceType": "QuestionnaireResponse",
            "id": fhir_id(RESPONSE, response.pk),
            "questionnaire": questionnaire_canonical(response.instrument, response.version),
            "status": "completed",
            "subject": patient_ref(response.patient_id),
            "authored": when(response.recorded_at),
            "author": patient_ref(response.patient_id),
            "source": patient_ref(response.patient_id),
            "language": response.language or None,
            "item": _items(response.answers),
        }
    )
    return FhirQR.model_validate(data)


def build_form_response(actor: Actor, form: Any, prefix: str, form_name: str) -> FhirQR:
    """A whole intake or follow-up form (intake.Intake / intake.FollowUp) as submitted: every
    step's answers, the body map and the consent answers included."""
    data = compact(
        {
            "resourceType": "QuestionnaireResponse",
            "id": fhir_id(prefix, form.pk),
            "questionnaire": f"{QUESTIONNAIRE_PREFIX}{form_name}",
            "status": "completed",
            "subject": patient_ref(form.patient_id),
            "authored": when(form.submitted_at),
            "author": patient_ref(form.patient_id),
            "source": patient_ref(form.patient_id),
            "language": form.language or None,
            "item": _items(form.answers),
        }
    )
    return FhirQR.model_validate(data)


def build_intake_form(actor: Actor, intake: Any) -> FhirQR:
    return build_form_response(actor, intake, INTAKE_FORM, "intake")


def build_followup_form(actor: Actor, followup: Any) -> FhirQR:
    return build_form_response(actor, followup, FOLLOWUP_FORM, "followup")


def score_codes(response: Any) -> list[tuple[str, str]]:
    instrument = INSTRUMENTS.get(response.instrument)
    code = codes.score_code(response.instrument, instrument.name if instrument else "")
    return [(code.system, code.code)]


def build_score(actor: Actor, response: Any) -> Observation:
    """The score of one questionnaire; ``dataAbsentReason`` when it was not scorable."""
    instrument = INSTRUMENTS.get(response.instrument)
    name = instrument.name if instrument else response.instrument
    code = codes.score_code(response.instrument, name)
    concept = codes.concept(
        code.system, code.code, code.display, instrument_display(response.instrument)
    )
    if code.system == codes.LOINC:
        # The local code too, so every score is found by its instrument id as well.
        concept["coding"].append(
            codes.coding(codes.local("score"), response.instrument, f"{name} score")
        )
    value: dict[str, Any] = {}
    components: list[dict[str, Any]] = []
    score = number(response.score)
    if response.scorable and score is not None:
        value["valueQuantity"] = codes.quantity(score, "{score}")
        if response.percent is not None:
            components.append(
                {
                    "code": codes.concept(
                        codes.local("score"), f"{response.instrument}-percent", f"{name} percent"
                    ),
                    "valueQuantity": codes.quantity(number(response.percent) or 0, "%"),
                }
            )
    else:
        value["dataAbsentReason"] = codes.concept(
            "http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", "Unknown"
        )
    notes = []
    if response.band:
        notes.append({"text": f"band: {response.band}"})
    if not response.scorable and response.reason:
        notes.append({"text": f"not scored: {response.reason}"})
    notes.append(
        {"text": f"{response.answered} items answered; instrument version {response.version}"}
    )
    if instrument is not None:
        low, high = instrument.score_range
        reference_range = [
            {
                "low": codes.quantity(number(low) or 0, "{score}"),
                "high": codes.quantity(number(high) or 0, "{score}"),
                "text": f"score range; {instrument.direction}",
            }
        ]
    else:
        reference_range = []
    data = compact(
        {
            "resourceType": "Observation",
            "id": fhir_id(SCORE, response.pk),
            "extension": algorithm_extension(response.algorithm),
            "status": "final",
            "category": codes.category("survey"),
            "code": concept,
            "subject": patient_ref(response.patient_id),
            "effectiveDateTime": when(response.recorded_at),
            "issued": when(response.recorded_at),
            "performer": [patient_ref(response.patient_id)],
            **value,
            "note": notes,
            "referenceRange": reference_range,
            "derivedFrom": [reference(("QuestionnaireResponse", RESPONSE), response.pk)],
            "component": components,
        }
    )
    return Observation.model_validate(data)
