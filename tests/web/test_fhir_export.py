"""The whole-record export round-tripped: every chart item of a patient present in the Bundle,
every resource validated again by fhir.resources from the archive's JSON, every referenced file in
the archive with the sha256 the manifest states, no resident registration number anywhere, and
another clinic's patient refused."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from tests.builders import dicom
from tests.factories.care import amendment, screen_record, signed_visit
from tests.factories.exams import exam
from tests.web import every_kind

RRN_TEXT = "850302-1234567"


def _actor(user: Any) -> Any:
    from atlaschart.lib.actor import Actor

    return Actor.system(user, via="test")


def _archive(actor: Any, patient_id: int, reason: str = "patient asked for a copy") -> Any:
    from atlaschart.fhir.export import export_patient

    out = io.BytesIO()
    summary = export_patient(actor, patient_id, reason, out)
    return zipfile.ZipFile(io.BytesIO(out.getvalue())), summary


def _form_ids(patient: Any) -> set[str]:
    """Intake and follow-up forms: the response, each rated pain region and (intake) the two
    consents."""
    from atlaschart.intake.models import FollowUp, Intake

    ids: set[str] = set()
    for form, model in (("intake", Intake), ("followup", FollowUp)):
        for row in model.objects.filter(patient=patient):
            ids.add(f"QuestionnaireResponse/{form}-{row.pk}")
            for key, value in row.answers.items():
                if key.startswith("pain_") and value not in (None, "") and key != "pain_moves":
                    if key == "pain_moves_detail":
                        continue
                    region = key.removeprefix("pain_").replace("_", "-")
                    ids.add(f"Observation/pain-{region}-{form}-{row.pk}")
            if form == "intake" and row.consent_personal is not None:
                ids.add(f"Consent/consent-personal-{row.pk}")
            if form == "intake" and row.consent_health is not None:
                ids.add(f"Consent/consent-health-{row.pk}")
    return ids


def expected_ids(patient: Any) -> set[str]:
    """The resource id every chart item of ``patient`` must have in the Bundle, found from the
    models directly (not through the registry under test)."""
    from atlaschart.exams.models import ExamRecord
    from atlaschart.imaging_studies.models import Study, UCAnalysis
    from atlaschart.intake.models import QuestionnaireResponse
    from atlaschart.posture.models import PostureShot
    from atlaschart.reports.models import PhotoConsent
    from atlaschart.safety.models import ScreenRecord
    from atlaschart.visits.models import (
        AdverseEvent,
        Appointment,
        CarePlan,
        CarePlanGoal,
        ConsentRecord,
        Treatment,
        Visit,
    )

    ids = {f"Patient/patient-{patient.pk}", f"Organization/clinic-{patient.clinic_id}"}
    ids |= _form_ids(patient)
    for row in QuestionnaireResponse.objects.filter(patient=patient):
        ids |= {f"QuestionnaireResponse/qr-{row.pk}", f"Observation/score-{row.pk}"}
    for row in ExamRecord.objects.filter(patient=patient):
        ids.add(f"Observation/exam-{row.pk}")
        for side in ("left", "right"):
            if row.kind == "blood_pressure" and row.raw.get(f"{side}_systolic") is not None:
                ids.add(f"Observation/bp-{side}-{row.pk}")
    for row in PostureShot.objects.filter(session__patient=patient):
        ids |= {f"Observation/posture-{row.pk}", f"Media/photo-{row.pk}"}
    ids |= {f"Encounter/visit-{v.pk}" for v in Visit.objects.filter(patient=patient)}
    ids |= {f"Appointment/appointment-{a.pk}" for a in Appointment.objects.filter(patient=patient)}
    ids |= {f"Consent/consent-{c.pk}" for c in ConsentRecord.objects.filter(patient=patient)}
    ids |= {f"Consent/consent-photo-{c.pk}" for c in PhotoConsent.objects.filter(patient=patient)}
    for row in Treatment.objects.filter(visit__patient=patient):
        prefix = (
            "MedicationAdministration/injection"
            if row.kind == "injection"
            else ("Procedure/procedure")
        )
        ids.add(f"{prefix}-{row.pk}")
    ids |= {f"CarePlan/careplan-{p.pk}" for p in CarePlan.objects.filter(patient=patient)}
    ids |= {f"Goal/goal-{g.pk}" for g in CarePlanGoal.objects.filter(care_plan__patient=patient)}
    for row in ScreenRecord.objects.filter(patient=patient):
        ids.add(f"QuestionnaireResponse/screen-{row.pk}")
        if row.findings:
            ids.add(f"Flag/flag-{row.pk}")
    ids |= {
        f"AdverseEvent/adverse-event-{e.pk}" for e in AdverseEvent.objects.filter(patient=patient)
    }
    ids |= {f"ImagingStudy/study-{s.pk}" for s in Study.objects.filter(patient=patient)}
    ids |= {
        f"DiagnosticReport/uc-analysis-{a.pk}" for a in UCAnalysis.objects.filter(patient=patient)
    }
    return ids


def _check_archive(archive: zipfile.ZipFile, patient: Any) -> dict[str, Any]:
    """Every check that holds for any export; returns the Bundle's JSON."""
    from atlaschart.audit.models import AccessLogEntry
    from atlaschart.imaging_studies.models import Instance
    from atlaschart.posture.models import PostureShot

    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "atlaschart-fhir-export"
    assert manifest["fhir_version"] == "4.0.1"
    # The manifest lists every other file with its sha256, and the bytes match.
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        assert len(data) == entry["size_bytes"]
    bundle = json.loads(archive.read("bundle.json"))
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    present = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        again = model.model_validate(resource)
        assert json.loads(again.model_dump_json(exclude_none=True)) == resource
        present.add(f"{resource['resourceType']}/{resource['id']}")
    assert len(present) == len(bundle["entry"]), "a resource id appears twice"
    missing = expected_ids(patient) - present
    assert not missing, sorted(missing)
    # The patient's access log, every row of it before this export, as AuditEvents.
    for row in AccessLogEntry.objects.filter(patient=patient).exclude(action="export"):
        assert f"AuditEvent/audit-{row.pk}" in present
    # Every reference inside the Bundle resolves to an entry (or a contained resource).
    text = json.dumps(bundle)
    for ref in {r for r in _references(bundle) if not r.startswith("#")}:
        assert ref in present, ref
    # The photos and DICOM files referenced are in the archive.
    for shot in PostureShot.objects.filter(session__patient=patient):
        assert f"files/posture/photo-{shot.pk}.jpg" in names
    for instance in Instance.objects.filter(series__study__patient=patient):
        assert f"files/dicom/{instance.sop_instance_uid}.dcm" in names
        assert instance.sop_instance_uid in text
    return bundle


def _references(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            found.add(value["reference"])
        for inner in value.values():
            found |= _references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _references(inner)
    return found


def _no_rrn_anywhere(archive: zipfile.ZipFile) -> None:
    import pydicom

    from atlaschart.fhir.export import RRN

    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".dcm"):
            ds = pydicom.dcmread(io.BytesIO(data))
            header = "\n".join(str(e.value) for e in ds.iterall() if e.tag != 0x7FE00010)
            assert not RRN.search(header), name
        elif name.endswith(".json"):
            assert not RRN.search(data.decode("utf-8")), name


@pytest.fixture
def record(personas: Any, monkeypatch: Any) -> every_kind.EveryKind:
    return every_kind.build(personas, monkeypatch)


def test_every_chart_item_of_the_fixture_patient_round_trips(personas: Any, record: Any) -> None:
    from atlaschart.audit.models import AccessLogEntry
    from atlaschart.visits.models import Treatment, Visit
    from atlaschart.visits.services.treatments import sign_treatment

    # The fixture's draft note signed (its treatments first, after the clinician's safety screen:
    # the patient's intake left it incomplete), then amended, as the chart does.
    screen_record(personas.clinician, personas.patient)
    for draft in Treatment.objects.filter(visit_id=record.ids["visit"]):
        sign_treatment(_actor(personas.clinician), draft)
    visit = signed_visit(personas.clinician, Visit.objects.get(pk=record.ids["visit"]))
    amendment(personas.clinician, visit, "typo in the plan", plan="re-check in a week")
    archive, summary = _archive(_actor(personas.clinician), personas.patient.pk)
    bundle = _check_archive(archive, personas.patient)
    encounter = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["id"] == f"visit-{visit.pk}"
    )
    assert "typo in the plan" in encounter["text"]["div"]
    assert "re-check in a week" in encounter["text"]["div"]
    # The export itself is one row in the access log, with its reason.
    row = AccessLogEntry.objects.get(
        action="export", patient=personas.patient, detail__startswith="FHIR export"
    )
    assert row.detail == "FHIR export (web); reason: patient asked for a copy"
    assert summary.resources == len(bundle["entry"])
    _no_rrn_anywhere(archive)


def test_codes_units_and_the_profiles_partners_look_for(personas: Any, record: Any) -> None:
    archive, _summary = _archive(_actor(personas.clinician), personas.patient.pk)
    bundle = json.loads(archive.read("bundle.json"))
    by_id = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    # Leg check: every number with a UCUM unit, the derived millimetres with their algorithm.
    exam = by_id[f"exam-{record.ids['exam']}"]
    quantities = [c["valueQuantity"] for c in exam["component"] if "valueQuantity" in c]
    assert quantities and all(q["system"] == "http://unitsofmeasure.org" for q in quantities)
    magnitude = next(
        c for c in exam["component"] if c["code"]["coding"][0]["code"] == "leg_check.magnitude"
    )
    # Entered as 2 eighths of an inch: kept as entered, in UCUM's [in_i]/8.
    assert magnitude["valueQuantity"] == {
        "value": 2.0,
        "unit": "⅛ inch",
        "system": "http://unitsofmeasure.org",
        "code": "[in_i]/8",
    }
    assert any(
        c["code"]["coding"][0]["code"] == "leg_check.derived.magnitude_mm"
        and c["valueQuantity"]["code"] == "mm"
        for c in exam["component"]
    )
    # The adjustment: SNOMED CT from the HL7 example (sources.md `[sct-399010004]`).
    procedure = by_id[f"procedure-{record.ids['treatment']}"]
    assert procedure["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "399010004",
        "display": "Nonsurgical manipulation of cervical spine",
    }
    # The radiograph: DICOM UIDs; the analysis with its algorithm.
    study = by_id[f"study-{record.ids['study']}"]
    assert study["identifier"][0]["value"].startswith("urn:oid:")
    analysis = by_id[f"uc-analysis-{record.ids['analysis']}"]
    assert analysis["extension"][0]["url"] == "urn:atlaschart:fhir:StructureDefinition:algorithm"
    assert analysis["imagingStudy"] == [{"reference": f"ImagingStudy/study-{record.ids['study']}"}]
    laterality = next(
        o for o in analysis["contained"] if o["code"]["coding"][0]["code"] == "atlas_laterality_deg"
    )
    assert laterality["valueQuantity"]["code"] == "deg"


def test_blood_pressure_follows_the_vital_signs_profile(personas: Any) -> None:
    from atlaschart.fhir.registry import find

    record = exam(
        personas.clinician,
        personas.patient,
        "blood_pressure",
        {"left_systolic": 128, "left_diastolic": 82, "left_pulse": 70},
    )
    actor = _actor(personas.clinician)
    left = find(actor, "Observation", f"bp-left-{record.pk}").model_dump(mode="json")
    assert find(actor, "Observation", f"bp-right-{record.pk}") is None  # not measured
    assert left["meta"]["profile"] == ["http://hl7.org/fhir/StructureDefinition/bp"]
    assert left["category"][0]["coding"][0]["code"] == "vital-signs"
    assert left["code"]["coding"][0]["code"] == "85354-9"
    parts = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in left["component"]}
    assert parts["8480-6"]["value"] == 128 and parts["8480-6"]["code"] == "mm[Hg]"
    assert parts["8462-4"]["value"] == 82 and parts["8462-4"]["code"] == "mm[Hg]"
    assert parts["8867-4"] == {
        "value": 70,
        "unit": "/min",
        "system": "http://unitsofmeasure.org",
        "code": "/min",
    }


def test_no_resident_registration_number_leaves(personas: Any, record: Any) -> None:
    """Typed into a note, it is masked in the Bundle; in a DICOM header, masked in the file."""
    from atlaschart.fhir.export import RRN, masked_dicom
    from atlaschart.visits.models import Visit
    from atlaschart.visits.services.notes import current_text, update_note

    visit = Visit.objects.get(pk=record.ids["visit"])
    typed = {"subjective": f"주민번호 {RRN_TEXT} 확인함", "objective": "RRN 8503021234567"}
    update_note(_actor(personas.clinician), visit, {**current_text(visit), **typed}, visit.version)
    archive, summary = _archive(_actor(personas.clinician), personas.patient.pk)
    assert summary.masked_in_bundle == 2
    text = archive.read("bundle.json").decode("utf-8")
    assert RRN_TEXT not in text and "8503021234567" not in text
    assert "주민번호 ******-******* 확인함" in text
    _no_rrn_anywhere(archive)
    # A header that carries one (PatientID as some Korean modalities fill it) is masked, pixel
    # data and UIDs untouched.
    header = dicom.plain("DX", "1.2.840.10008.5.1.4.1.1.1.1", 4, 4, "1.2.3", "1.2.3.4")
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(header))
    ds.PatientID = RRN_TEXT
    buffer = io.BytesIO()
    ds.save_as(buffer)
    masked = masked_dicom(buffer.getvalue())
    assert masked is not None
    again = pydicom.dcmread(io.BytesIO(masked))
    assert not RRN.search(str(again.PatientID))
    assert again.StudyInstanceUID == "1.2.3" and again.PixelData == ds.PixelData
    assert masked_dicom(header) is None  # nothing to mask: the file goes as stored


def test_another_clinics_patient_is_refused(personas: Any, record: Any) -> None:
    from atlaschart.audit.models import AccessLogEntry
    from atlaschart.fhir.export import bundle_dict
    from atlaschart.fhir.registry import patient_resources
    from atlaschart.lib.access import RecordNotFound

    outsider = _actor(personas.outsider)
    with pytest.raises(RecordNotFound):
        _archive(outsider, personas.patient.pk)
    assert not AccessLogEntry.objects.filter(user=personas.outsider, action="export").exists()
    assert patient_resources(outsider, personas.patient) == []
    from atlaschart.fhir.export import ExportError

    with pytest.raises(ExportError):
        bundle_dict(outsider, personas.patient)


def test_the_living_demo_patient_round_trips(db: None, settings: Any, tmp_path: Any) -> None:
    """The demo's most complete patient (every stage of care, made through the services)."""
    from atlaschart.accounts.models import User
    from atlaschart.clinics.demo import load_demo
    from atlaschart.imaging_studies.models import Study
    from atlaschart.posture.models import PostureShot
    from atlaschart.visits.models import Treatment

    settings.VAR_DIR = tmp_path
    load_demo()
    clinician = User.objects.get(username="seoul-clinician")
    patient = (
        Study.objects.filter(patient__clinic=clinician.clinic).select_related("patient").first()
    ).patient
    assert PostureShot.objects.filter(session__patient=patient).exists()
    assert Treatment.objects.filter(visit__patient=patient).exists()
    archive, _summary = _archive(_actor(clinician), patient.pk)
    bundle = _check_archive(archive, patient)
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {
        "Patient",
        "Organization",
        "Practitioner",
        "Encounter",
        "Appointment",
        "Consent",
        "QuestionnaireResponse",
        "Observation",
        "Procedure",
        "ImagingStudy",
        "DiagnosticReport",
        "Flag",
        "CarePlan",
        "Goal",
        "Media",
        "AuditEvent",
    } <= types
    _no_rrn_anywhere(archive)
    # Every injection of the demo clinic's patients carries drug, dose, lot and site.
    from atlaschart.fhir.registry import sources_of

    (injections,) = sources_of("MedicationAdministration")
    rows = list(injections.rows(_actor(clinician)))
    assert rows
    for row in rows:
        data = injections.build(_actor(clinician), row).model_dump(mode="json", exclude_none=True)
        medication = data["contained"][0]
        assert medication["batch"]["lotNumber"] == row.lot_number
        assert data["dosage"]["dose"]["code"] == "mg"
        assert data["dosage"]["site"]["text"] == row.site
