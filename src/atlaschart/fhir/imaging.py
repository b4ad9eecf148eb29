"""ImagingStudy (with the DICOM UIDs) and DiagnosticReport for an upper cervical analysis.

The DICOM files travel in the export archive (``files/dicom/<SOP instance UID>.dcm``); each
instance names its file in the study's ``note`` as well, so a reader of the Bundle alone finds
them. An upper cervical analysis is a ``DiagnosticReport`` (category RAD) whose results are
contained Observations, one per construct (local ``radiograph`` code, value in its unit), with the
analysis's algorithm as provenance, the listing and vector, and the warnings.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.imagingstudy import ImagingStudy

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
from atlaschart.fhir.observations import _fhir_code, stored_unit
from atlaschart.lib.actor import Actor

STUDY = "study"
ANALYSIS = "uc-analysis"


def dicom_path(instance: Any) -> str:
    """Where an instance's file lies in the export archive (a scanned film is kept as the PNG or
    JPEG it was imported as)."""
    extension = {"png": ".png", "jpeg": ".jpg"}.get(instance.blob.kind, ".dcm")
    return f"files/dicom/{instance.sop_instance_uid}{extension}"


def _study_started(study: Any) -> str | None:
    raw = study.study_date or ""
    if len(raw) == 8 and raw.isdigit():
        return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    return None


def _uid(value: str) -> str:
    return f"urn:oid:{value}"


def study_codes(study: Any) -> list[tuple[str, str]]:
    return [
        (codes.DICOM_MODALITY, series.modality) for series in study.series.all() if series.modality
    ]


def build_imaging_study(actor: Actor, study: Any) -> ImagingStudy:
    series_list = []
    modalities: list[str] = []
    instances_total = 0
    for series in study.series.all().prefetch_related("instances__blob"):
        instances = list(series.instances.all())
        instances_total += len(instances)
        modality = series.modality or "OT"
        if modality not in modalities:
            modalities.append(modality)
        series_list.append(
            compact(
                {
                    "uid": series.series_instance_uid,
                    "modality": codes.coding(codes.DICOM_MODALITY, modality),
                    "description": series.description or None,
                    "numberOfInstances": len(instances),
                    "instance": [
                        compact(
                            {
                                "uid": instance.sop_instance_uid,
                                "sopClass": codes.coding(
                                    "urn:ietf:rfc:3986", _uid(_sop_class(instance))
                                ),
                                "number": instance.instance_number
                                if instance.instance_number is not None
                                and instance.instance_number >= 0
                                else None,
                                "title": dicom_path(instance),
                            }
                        )
                        for instance in instances
                    ],
                }
            )
        )
    notes = []
    if study.is_film:
        notes.append({"text": "scanned film"})
    if study.file_patient_id or study.file_patient_name:
        notes.append(
            {
                "text": f"patient in the file: {study.file_patient_name} / {study.file_patient_id}"
                + ("; difference confirmed" if study.identity_confirmed else "")
            }
        )
    data = compact(
        {
            "resourceType": "ImagingStudy",
            "id": fhir_id(STUDY, study.pk),
            "identifier": [{"system": codes.DICOM_UID, "value": _uid(study.study_instance_uid)}],
            "status": "available",
            "modality": [codes.coding(codes.DICOM_MODALITY, m) for m in modalities],
            "subject": patient_ref(study.patient_id),
            "started": _study_started(study),
            "numberOfSeries": len(series_list),
            "numberOfInstances": instances_total,
            "description": study.description or None,
            "note": notes,
            "series": series_list,
        }
    )
    return ImagingStudy.model_validate(data)


#: Secondary Capture Image Storage: what a scanned film (a PNG or JPEG, not DICOM) is.
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def _sop_class(instance: Any) -> str:
    """The SOP class UID, read from the stored file's header (not a column). Blobs are named by
    their sha256 and never change, so the answer is cached by it."""
    blob = instance.blob
    if blob.kind != "dicom":
        return SECONDARY_CAPTURE
    return _sop_class_of_blob(blob.sha256, blob.relative_path)


@lru_cache(maxsize=8192)
def _sop_class_of_blob(sha256: str, name: str) -> str:
    import pydicom

    from atlaschart.lib import media

    try:
        with media.open(name) as handle:
            ds = pydicom.dcmread(handle, stop_before_pixels=True, specific_tags=["SOPClassUID"])
        return str(ds.SOPClassUID)
    except Exception:
        return SECONDARY_CAPTURE


def analysis_codes(analysis: Any) -> list[tuple[str, str]]:
    return [(codes.local("radiograph"), f"uc-analysis-{analysis.view}")] + [
        (codes.local("radiograph"), _fhir_code(key)) for key in (analysis.values or {})
    ]


def build_uc_analysis(actor: Actor, analysis: Any) -> DiagnosticReport:
    system = codes.local("radiograph")
    values = analysis.values if isinstance(analysis.values, dict) else {}
    contained = []
    results = []
    for index, (key, entry) in enumerate(values.items(), start=1):
        if not isinstance(entry, dict):
            continue
        local_id = f"m{index}"
        value = number(entry.get("value"))
        unit, ucum = stored_unit(entry.get("unit"))
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": local_id,
            "extension": algorithm_extension(analysis.algorithm),
            "status": "final",
            "category": codes.category("imaging"),
            "code": codes.concept(system, _fhir_code(key), key.replace("_", " ")),
            "subject": patient_ref(analysis.patient_id),
        }
        if value is None:
            observation["dataAbsentReason"] = codes.concept(
                "http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", "Unknown"
            )
        else:
            observation["valueQuantity"] = codes.quantity(value, unit, ucum)
        if entry.get("side"):
            observation["note"] = [{"text": f"side: patient's {entry['side']}"}]
        contained.append(compact(observation))
        results.append({"reference": f"#{local_id}"})
    conclusion_parts = []
    if analysis.listing:
        conclusion_parts.append(f"listing {analysis.listing}")
    if analysis.vector:
        conclusion_parts.append(f"vector {analysis.vector}")
    if analysis.listing_source:
        source = analysis.listing_source
        if analysis.listing_table_id:
            source += f" ({analysis.listing_table.label}, rule {analysis.listing_rule})"
        conclusion_parts.append(f"listing from {source}")
    if analysis.warnings:
        conclusion_parts.append("warnings: " + ", ".join(map(str, analysis.warnings)))
    instance = analysis.instance
    data = compact(
        {
            "resourceType": "DiagnosticReport",
            "id": fhir_id(ANALYSIS, analysis.pk),
            "extension": algorithm_extension(analysis.algorithm)
            + algorithm_extension(f"{analysis.profile_id}@{analysis.profile_version}"),
            "contained": contained,
            "status": "final",
            "category": [codes.concept(codes.DIAGNOSTIC_SERVICE, "RAD", "Radiology")],
            "code": codes.concept(
                system, f"uc-analysis-{analysis.view}", f"Upper cervical analysis, {analysis.view}"
            ),
            "subject": patient_ref(analysis.patient_id),
            "effectiveDateTime": when(analysis.created_at),
            "issued": when(analysis.updated_at),
            "performer": [practitioner_ref(analysis.created_by)] if analysis.created_by_id else [],
            "result": results,
            "imagingStudy": [reference(("ImagingStudy", STUDY), instance.series.study_id)],
            "conclusion": "; ".join(conclusion_parts) or None,
        }
    )
    return DiagnosticReport.model_validate(data)
