"""Observations of the body map, the examinations and the posture photos.

- **Pain per region**: one Observation per body-map region per intake or follow-up, coded as the
  NPRS (LOINC 72514-3) with the region in ``bodySite`` (local ``body-region`` code, SNOMED CT
  laterality where the region has a side), the pain qualities as components.
- **Examinations**: one Observation per exam record (category ``exam``), coded in the local
  ``exam`` CodeSystem by kind; every entered and derived value is a component with its unit; the
  one-line result is ``valueString``; the algorithms that derived values are in the provenance
  extension.
- **Blood pressure**: besides the exam record, one Observation per arm following the FHIR
  vital-signs blood-pressure profile (85354-9 with 8480-6 systolic and 8462-4 diastolic in mm[Hg]),
  and the pulse as a heart-rate component (8867-4, /min).
- **Posture**: one Observation per photo, a component per metric in its unit with the
  uncertainty the core states (extension), ``derivedFrom`` the photo's ``Media`` (the photo
  itself is a file in the export archive).
"""

from __future__ import annotations

import re
from typing import Any

from fhir.resources.R4B.media import Media
from fhir.resources.R4B.observation import Observation

from atlaschart.fhir import codes
from atlaschart.fhir.base import (
    UNCERTAINTY_EXTENSION,
    algorithm_extension,
    compact,
    fhir_id,
    number,
    patient_ref,
    practitioner_ref,
    reference,
    when,
)
from atlaschart.lib.actor import Actor

EXAM = "exam"
POSTURE = "posture"
PHOTO = "photo"
BP_LEFT = "bp-left"
BP_RIGHT = "bp-right"

# --- units ------------------------------------------------------------------------------

#: (pattern on the stored key, human unit, UCUM code); first match wins.
_KEY_UNITS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), unit, ucum)
    for pattern, unit, ucum in (
        (r".*_mmhg$|^(left|right)_(systolic|diastolic)$", "mmHg", "mm[Hg]"),
        (r".*_pulse$|.*_bpm$", "/min", "/min"),
        (r".*_mm$", "mm", "mm"),
        (r".*_cm$", "cm", "cm"),
        (r".*_deg$|^angle_.*|^atr_[a-z_]+(?<!_side)$", "°", "deg"),
        (r".*_s$", "s", "s"),
        (r".*_min$|^minutes$", "min", "min"),
        (r".*_setting$|.*_tension$", "dial", "{dial}"),
        (r".*_h$", "h", "h"),
        (r".*_c$", "°C", "Cel"),
        (r"^reflex_.*", "grade", "{grade}"),
        (r"^myotome_.*", "MRC grade", "{MRC grade}"),
        (r".*_beats$", "beats", "{beats}"),
        (r"^steps$", "steps", "{steps}"),
        (r".*_count$", "count", "{count}"),
        (r".*_percent$", "%", "%"),
        (r".*_0_10$", "score", "{score}"),
    )
)

#: Units of stored measurement dicts (posture metrics, radiograph values) -> UCUM.
UNIT_UCUM = {
    "deg": ("°", "deg"),
    "mm": ("mm", "mm"),
    "cm": ("cm", "cm"),
    "px": ("px", "{px}"),
    "ratio": ("ratio", "1"),
    "%": ("%", "%"),
    "percent": ("%", "%"),
    "pct": ("%", "%"),
    "s": ("s", "s"),
}


def stored_unit(unit: Any) -> tuple[str, str]:
    """(human unit, UCUM code) of a unit stored with a measurement; an unknown one kept as a UCUM
    annotation (``{px}``), none as "1"."""
    text = str(unit or "").strip()
    if not text:
        return "1", "1"
    return UNIT_UCUM.get(text, (text, "{" + _fhir_code(text) + "}"))


_LEG_UNITS = {"mm": ("mm", "mm"), "eighth_inch": ("⅛ inch", "[in_i]/8")}


def key_unit(key: str, raw: dict[str, Any]) -> tuple[str, str]:
    """(human unit, UCUM code) of a stored exam value; a plain count ("1") when the key names
    none."""
    if key == "magnitude":
        return _LEG_UNITS.get(str(raw.get("unit") or "mm"), ("mm", "mm"))
    for pattern, unit, ucum in _KEY_UNITS:
        if pattern.match(key):
            return unit, ucum
    return "1", "1"


def _fhir_code(text: str) -> str:
    """A key as a FHIR code (no whitespace)."""
    return re.sub(r"\s+", "-", str(text).strip()) or "value"


def _component(system: str, key: str, value: Any, raw: dict[str, Any]) -> dict[str, Any] | None:
    code = codes.concept(system, _fhir_code(key), key.replace("_", " "))
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return {"code": code, "valueBoolean": value}
    if isinstance(value, int | float):
        unit, ucum = key_unit(key, raw)
        return {"code": code, "valueQuantity": codes.quantity(value, unit, ucum)}
    if isinstance(value, list):
        return {"code": code, "valueString": ", ".join(str(v) for v in value)[:1000]}
    if isinstance(value, dict):
        return None
    return {"code": code, "valueString": str(value)[:1000]}


def _flatten(prefix: str, data: Any) -> list[tuple[str, Any]]:
    """Nested derived values as dotted keys (``umn_signs.hoffmann``)."""
    if not isinstance(data, dict):
        return [(prefix, data)]
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            items.extend(_flatten(name, value))
        else:
            items.append((name, value))
    return items


# --- pain per body-map region ------------------------------------------------------------


def region_names() -> list[tuple[str, str]]:
    """Every body-map region key with its English name, the current map and the older one."""
    from django.utils import translation

    from atlaschart.intake.steps import LEGACY_REGIONS, REGIONS

    with translation.override("en"):
        return [(key, str(label)) for key, label in (*REGIONS, *LEGACY_REGIONS)]


def region_side(region: str) -> str:
    if region.endswith("_left"):
        return "left"
    if region.endswith("_right"):
        return "right"
    return ""


def region_prefix(region: str, form: str) -> str:
    """Id prefix of one region's ratings from one kind of form: ``pain-neck-intake``."""
    return f"pain-{region.replace('_', '-')}-{form}"


def build_region_pain(
    actor: Actor, form: Any, region: str, region_name: str, form_kind: str
) -> Observation:
    answers = form.answers if isinstance(form.answers, dict) else {}
    raw = answers.get(f"pain_{region}")
    intensity: int | None
    try:
        intensity = int(str(raw).strip())
    except (TypeError, ValueError):
        intensity = None
    if intensity is not None and not 0 <= intensity <= 10:
        intensity = None
    site = codes.concept(codes.local("body-region"), region, region_name)
    side = region_side(region)
    if side:
        laterality = codes.SNOMED_LEFT if side == "left" else codes.SNOMED_RIGHT
        site["coding"].append(codes.coding(laterality.system, laterality.code, laterality.display))
    qualities = answers.get(f"quality_{region}") or []
    if not isinstance(qualities, list):
        qualities = [qualities]
    nprs = codes.LOINC_SCORES["nprs"]
    value: dict[str, Any]
    if intensity is None:
        value = {
            "dataAbsentReason": codes.concept(
                "http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", "Unknown"
            ),
            "note": [{"text": f"stored answer not a rating from 0 to 10: {str(raw)[:40]}"}],
        }
    else:
        value = {"valueQuantity": codes.quantity(intensity, "{score}")}
    form_prefix = "intake" if form_kind == "intake" else "followup"
    data = compact(
        {
            "resourceType": "Observation",
            "id": fhir_id(region_prefix(region, form_kind), form.pk),
            "status": "final",
            "category": codes.category("survey"),
            "code": codes.concept(nprs.system, nprs.code, nprs.display, f"Pain in {region_name}"),
            "subject": patient_ref(form.patient_id),
            "effectiveDateTime": when(form.submitted_at),
            "performer": [patient_ref(form.patient_id)],
            "bodySite": site,
            **value,
            "component": [
                {
                    "code": codes.concept(codes.local("pain-quality"), "quality", "Pain quality"),
                    "valueCodeableConcept": codes.concept(
                        codes.local("pain-quality"), _fhir_code(q), str(q)
                    ),
                }
                for q in qualities
                if str(q).strip()
            ],
            "derivedFrom": [reference(("QuestionnaireResponse", form_prefix), form.pk)],
        }
    )
    return Observation.model_validate(data)


# --- examinations ------------------------------------------------------------------------


def _exam_display(kind: str) -> str:
    from django.utils import translation

    from atlaschart.exams.models import ExamKind

    with translation.override("en"):
        try:
            return str(ExamKind(kind).label)
        except ValueError:
            return kind


def exam_codes(record: Any) -> list[tuple[str, str]]:
    return [(codes.local("exam"), record.kind)]


def _exam_summary(record: Any) -> str:
    from django.utils import translation

    with translation.override("en"):
        try:
            return str(record.summary_display or record.summary or "")
        except Exception:
            return str(record.summary or "")


def build_exam(actor: Actor, record: Any) -> Observation:
    raw = record.raw if isinstance(record.raw, dict) else {}
    derived = record.derived if isinstance(record.derived, dict) else {}
    algorithms = [str(a) for a in derived.get("algorithms") or [] if a]
    system = codes.local("exam")
    components: list[dict[str, Any]] = []
    for key, value in raw.items():
        part = _component(system, f"{record.kind}.{key}", value, raw)
        if part is not None:
            part["code"]["coding"][0]["code"] = _fhir_code(f"{record.kind}.{key}")
            components.append(_unit_from_key(part, key, value, raw))
    for key, value in _flatten("", {k: v for k, v in derived.items() if k != "algorithms"}):
        part = _component(system, f"{record.kind}.derived.{key}", value, derived)
        if part is not None:
            components.append(_unit_from_key(part, key.rsplit(".", 1)[-1], value, derived))
    notes = []
    if record.timing:
        notes.append({"text": f"timing: {record.timing} (relative to the adjustment)"})
    extension = [e for a in algorithms for e in algorithm_extension(a)]
    data = compact(
        {
            "resourceType": "Observation",
            "id": fhir_id(EXAM, record.pk),
            "extension": extension,
            "status": "final",
            "category": codes.category(
                "vital-signs" if record.kind == "blood_pressure" else "exam"
            ),
            "code": codes.concept(system, record.kind, _exam_display(record.kind)),
            "subject": patient_ref(record.patient_id),
            "encounter": reference(("Encounter", "visit"), record.visit_id)
            if record.visit_id
            else None,
            "effectiveDateTime": when(record.created_at),
            "issued": when(record.created_at),
            "performer": [practitioner_ref(record.examiner)],
            "valueString": _exam_summary(record) or None,
            "note": notes,
            "component": components,
        }
    )
    return Observation.model_validate(data)


def _unit_from_key(
    part: dict[str, Any], key: str, value: Any, raw: dict[str, Any]
) -> dict[str, Any]:
    if "valueQuantity" in part and isinstance(value, int | float) and not isinstance(value, bool):
        unit, ucum = key_unit(key, raw)
        part["valueQuantity"] = codes.quantity(value, unit, ucum)
    return part


def build_blood_pressure(actor: Actor, record: Any, side: str) -> Observation:
    """One arm's reading as the FHIR vital-signs blood-pressure profile asks."""
    raw = record.raw if isinstance(record.raw, dict) else {}
    components = []
    for code, key in ((codes.BP_SYSTOLIC, "systolic"), (codes.BP_DIASTOLIC, "diastolic")):
        value = number(raw.get(f"{side}_{key}"))
        part: dict[str, Any] = {"code": codes.concept(code.system, code.code, code.display)}
        if value is None:
            part["dataAbsentReason"] = codes.concept(
                "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                "not-performed",
                "Not Performed",
            )
        else:
            part["valueQuantity"] = codes.quantity(value, "mmHg", "mm[Hg]")
        components.append(part)
    pulse = number(raw.get(f"{side}_pulse"))
    if pulse is not None:
        rate = codes.HEART_RATE
        components.append(
            {
                "code": codes.concept(rate.system, rate.code, rate.display),
                "valueQuantity": codes.quantity(pulse, "/min", "/min"),
            }
        )
    arm = codes.SNOMED_LEFT if side == "left" else codes.SNOMED_RIGHT
    panel = codes.BP_PANEL
    derived = record.derived if isinstance(record.derived, dict) else {}
    data = compact(
        {
            "resourceType": "Observation",
            "id": fhir_id(BP_LEFT if side == "left" else BP_RIGHT, record.pk),
            "meta": {"profile": [codes.BP_PROFILE]},
            "extension": [
                e for a in derived.get("algorithms") or [] for e in algorithm_extension(str(a))
            ],
            "status": "final",
            "category": codes.category("vital-signs"),
            "code": codes.concept(panel.system, panel.code, panel.display, "Blood pressure"),
            "subject": patient_ref(record.patient_id),
            "encounter": reference(("Encounter", "visit"), record.visit_id)
            if record.visit_id
            else None,
            "effectiveDateTime": when(record.created_at),
            "performer": [practitioner_ref(record.examiner)],
            "bodySite": {
                "coding": [
                    codes.coding(codes.local("body-region"), f"arm_{side}", f"{side} arm"),
                    codes.coding(arm.system, arm.code, arm.display),
                ],
                "text": f"{side} arm",
            },
            "component": components,
            "derivedFrom": [reference(("Observation", EXAM), record.pk)],
        }
    )
    return Observation.model_validate(data)


def bp_codes(record: Any) -> list[tuple[str, str]]:
    return [
        (codes.LOINC, codes.BP_PANEL.code),
        (codes.LOINC, codes.BP_SYSTOLIC.code),
        (codes.LOINC, codes.BP_DIASTOLIC.code),
    ]


# --- posture -----------------------------------------------------------------------------


def posture_codes(shot: Any) -> list[tuple[str, str]]:
    return [(codes.local("posture-metric"), f"view-{shot.view}")] + [
        (codes.local("posture-metric"), _fhir_code(key))
        for key in (shot.metrics or {})
        if isinstance(shot.metrics, dict)
    ]


def build_posture(actor: Actor, shot: Any) -> Observation:
    system = codes.local("posture-metric")
    metrics = shot.metrics if isinstance(shot.metrics, dict) else {}
    components = []
    for key, metric in metrics.items():
        code = codes.concept(system, _fhir_code(key), key.replace("_", " "))
        if not isinstance(metric, dict):
            continue
        value = number(metric.get("value"))
        if value is None:
            reason = metric.get("reason") or ", ".join(str(r) for r in metric.get("reasons") or [])
            components.append(
                {
                    "code": code,
                    "dataAbsentReason": codes.concept(
                        "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                        "not-performed" if not reason else "error",
                        "Not Performed" if not reason else "Error",
                        str(reason)[:200] if reason else "",
                    ),
                }
            )
            continue
        unit, ucum = stored_unit(metric.get("unit"))
        quantity = codes.quantity(value, unit, ucum)
        uncertainty = number(metric.get("uncertainty"))
        if uncertainty is not None:
            quantity["extension"] = [
                {
                    "url": UNCERTAINTY_EXTENSION,
                    "valueQuantity": codes.quantity(uncertainty, unit, ucum),
                }
            ]
        components.append({"code": code, "valueQuantity": quantity})
    session = shot.session
    notes = []
    if shot.detector:
        notes.append({"text": f"landmarks: {shot.detector}"})
    if shot.detection_note:
        notes.append({"text": shot.detection_note[:200]})
    data = compact(
        {
            "resourceType": "Observation",
            "id": fhir_id(POSTURE, shot.pk),
            "extension": algorithm_extension(shot.metrics_algorithm),
            "status": "final",
            "category": codes.category("exam"),
            "code": codes.concept(
                system, f"view-{shot.view}", f"Posture from photo, {shot.view} view"
            ),
            "subject": patient_ref(session.patient_id),
            "effectiveDateTime": when(session.taken_on),
            "issued": when(shot.created_at),
            "performer": [practitioner_ref(session.clinician)],
            "method": codes.concept(system, "photo-landmarks", "Landmarks on a photo"),
            "note": notes,
            "component": components,
            "derivedFrom": [reference(("Media", PHOTO), shot.pk)],
        }
    )
    return Observation.model_validate(data)


def photo_path(shot: Any) -> str:
    """Where the photo lies in the export archive."""
    ext = (shot.image_format or "jpg").lower().replace("jpeg", "jpg")
    return f"files/posture/photo-{shot.pk}.{ext}"


def build_photo(actor: Actor, shot: Any) -> Media:
    """The posture photo as R4 ``Media``: the file travels in the archive (``content.url`` is its
    path there); its sha256 is in the archive's manifest."""
    session = shot.session
    content_type = "image/png" if (shot.image_format or "").lower() == "png" else "image/jpeg"
    data = compact(
        {
            "resourceType": "Media",
            "id": fhir_id(PHOTO, shot.pk),
            "status": "completed",
            "type": codes.concept(
                "http://terminology.hl7.org/CodeSystem/media-type", "image", "Image"
            ),
            "view": codes.concept(codes.local("posture-metric"), f"view-{shot.view}", shot.view),
            "subject": patient_ref(session.patient_id),
            "createdDateTime": when(shot.created_at),
            "operator": practitioner_ref(shot.created_by),
            "width": shot.width,
            "height": shot.height,
            "content": {
                "contentType": content_type,
                "url": photo_path(shot),
                "title": f"posture photo, {shot.view} view",
            },
            "note": [{"text": f"sha256 {shot.sha256}"}],
        }
    )
    return Media.model_validate(data)
