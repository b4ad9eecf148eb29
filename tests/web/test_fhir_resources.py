"""Every FHIR resource AtlasChart builds, parsed back from its JSON and validated by
fhir.resources (R4B models, R4-compatible: docs/fhir.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from tests.factories.care import treatment
from tests.web import every_kind


@pytest.fixture
def record(personas: Any, monkeypatch: Any) -> every_kind.EveryKind:
    return every_kind.build(personas, monkeypatch)


def _actor(user: Any) -> Any:
    from atlaschart.lib.actor import Actor

    return Actor.system(user, via="test")


def _round_trip(resource: Any) -> dict[str, Any]:
    text = resource.model_dump_json(exclude_none=True)
    data = json.loads(text)
    model = get_fhir_model_class(data["resourceType"])
    again = model.model_validate(data)
    assert json.loads(again.model_dump_json(exclude_none=True)) == data
    return data


def test_every_resource_of_the_patient_validates(personas: Any, record: Any) -> None:
    from atlaschart.fhir.registry import patient_resources

    resources = patient_resources(_actor(personas.clinician), personas.patient)
    types = {r.get_resource_type() for r in resources}
    assert {"Patient", "Organization", "QuestionnaireResponse", "Observation"} <= types
    for resource in resources:
        _round_trip(resource)


def test_patient_identifier_name_and_language(personas: Any) -> None:
    from atlaschart.fhir.registry import find

    data = _round_trip(
        find(_actor(personas.clinician), "Patient", f"patient-{personas.patient.pk}")
    )
    assert data["identifier"][0] == {
        "use": "usual",
        "type": data["identifier"][0]["type"],
        "system": "urn:atlaschart:clinic:seoul:chart-number",
        "value": "000001",
        "assigner": data["identifier"][0]["assigner"],
    }
    assert data["name"][0] == {
        "use": "official",
        "text": "김민준",
        "family": "김",
        "given": ["민준"],
    }
    assert data["name"][1]["text"] == "Minjun Kim"
    assert data["communication"][0]["language"]["coding"][0]["code"] == "ko"


def test_nprs_score_is_loinc_72514_3(personas: Any, record: Any) -> None:
    from atlaschart.fhir.registry import patient_resources

    scores = [
        r.model_dump(mode="json", exclude_none=True)
        for r in patient_resources(_actor(personas.clinician), personas.patient)
        if r.get_resource_type() == "Observation" and r.id.startswith("score-")
    ]
    assert scores
    nprs = [s for s in scores if s["code"]["coding"][0]["code"] == "72514-3"]
    assert {s["code"]["coding"][0]["system"] for s in nprs} == {"http://loinc.org"}
    # The intake answered 6; the follow-up was sent unanswered: no value, a reason instead.
    scored = [s for s in nprs if "valueQuantity" in s]
    assert [s["valueQuantity"] for s in scored] == [
        {"value": 6.0, "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}"}
    ]
    assert [s["dataAbsentReason"]["coding"][0]["code"] for s in nprs if s not in scored] == [
        "unknown"
    ]


def test_another_clinics_patient_is_not_found(personas: Any) -> None:
    from atlaschart.fhir.registry import find, patient_resources

    outsider = _actor(personas.outsider)
    assert find(outsider, "Patient", f"patient-{personas.patient.pk}") is None
    assert patient_resources(outsider, personas.patient) == []


def _local_codings(value: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    if isinstance(value, dict):
        system = str(value.get("system", ""))
        if system.startswith("urn:atlaschart:fhir:CodeSystem:") and "code" in value:
            found.add((system.rsplit(":", 1)[-1], str(value["code"])))
        for inner in value.values():
            found |= _local_codings(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _local_codings(inner)
    return found


def test_every_local_code_emitted_is_documented(personas: Any, record: Any) -> None:
    """docs/fhir.md lists each local CodeSystem's codes (or, for exams and safety rules, the
    pattern they follow)."""
    import re
    from pathlib import Path

    from atlaschart.exams.models import ExamKind
    from atlaschart.fhir.codes import LOCAL_SYSTEMS
    from atlaschart.fhir.registry import patient_resources
    from atlaschart.visits.models import Treatment

    # A manipulation of the neck, so the second SNOMED CT case is exported too.
    visit = Treatment.objects.get(pk=record.ids["treatment"]).visit
    treatment(
        personas.clinician,
        visit,
        kind="manual_therapy",
        technique="manipulation",
        technique_settings={"region": "cervical", "minutes": 5},
    )
    docs = (Path(__file__).resolve().parents[2] / "docs" / "fhir.md").read_text("utf-8")
    listed = set(re.findall(r"`([^`]+)`", docs))
    emitted: set[tuple[str, str]] = set()
    for resource in patient_resources(_actor(personas.clinician), personas.patient):
        emitted |= _local_codings(resource.model_dump(mode="json", exclude_none=True))
    assert {system for system, _code in emitted} <= set(LOCAL_SYSTEMS)
    assert {f"`{system}`" for system in LOCAL_SYSTEMS} <= {f"`{x}`" for x in listed}
    kinds = {k.value for k in ExamKind}
    undocumented = []
    for system, code in sorted(emitted):
        if system == "exam" and (code in kinds or code.split(".", 1)[0] in kinds):
            continue
        if system == "safety" and re.fullmatch(r"(incomplete:)?[A-Z]\d+(:[a-z_]+)?", code):
            continue
        if system == "safety" and code.startswith("level-") and code[6:] in listed:
            continue
        # The classification as the exam core stored it (its classes are the core's).
        if system == "safety" and code.startswith("adverse-"):
            continue
        if system == "radiograph" and code.startswith("uc-analysis-") and code[12:] in listed:
            continue
        if system == "treatment" and code.startswith("technique-") and code[10:] in listed:
            continue
        if code not in listed:
            undocumented.append((system, code))
    assert not undocumented, undocumented
    manipulation = [
        r
        for r in patient_resources(_actor(personas.clinician), personas.patient)
        if r.get_resource_type() == "Procedure" and "manual_therapy" in r.model_dump_json()
    ]
    assert manipulation and manipulation[0].code.coding[0].code == "399010004"
