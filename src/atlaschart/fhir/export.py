"""The patient's whole record as one archive: a FHIR Bundle, the files it references, a manifest.

Archive layout (docs/cli.md states it as a format)::

    bundle.json                         FHIR R4 Bundle, type "collection"
    files/posture/photo-<id>.<ext>      each posture photo (the Media resources' content.url)
    files/dicom/<SOP instance UID>.dcm  each DICOM instance of the ImagingStudy resources
    manifest.json                       format, version, what was exported, and the sha256 and
                                        size of every other file in the archive

One export is one access-log row (``export``, detail ``FHIR export (web|cli); reason: ...``),
written before the archive is handed out. The Bundle is built through the registry, so it holds
exactly what the acting user's clinic holds for that patient.

No resident registration number (주민등록번호) leaves in the archive: AtlasChart keeps none, and
a number of that shape typed into free text (a note, a complaint) is masked in the Bundle; a DICOM
file whose header carries one (some Korean modalities put it in PatientID) is exported with those
elements masked, and the manifest names the file and its stored sha256.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from atlaschart.lib.actor import Actor

FORMAT = "atlaschart-fhir-export"
FORMAT_VERSION = 1
FHIR_VERSION = "4.0.1"
MODELS = "fhir.resources R4B models (R4-compatible), docs/fhir.md"

#: A Korean resident registration number: YYMMDD, an optional hyphen, then 7 digits whose first
#: is 1-8 (sex and century; 5-8 for registered foreigners). Not inside a longer run of digits, a
#: dotted UID, or a hex or base64 value (a SHA-256, an attachment's hash): the Bundle is masked as
#: text, and masking digits inside a checksum would corrupt it. Hangul may touch it
#: ("번호850302-…").
RRN = re.compile(
    r"(?<![0-9A-Za-z_.+/])\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?-?\s?[1-8]\d{6}"
    r"(?![0-9A-Za-z_.+/])"
)
RRN_MASK = "******-*******"

#: Fixed namespace for the Bundle entries' fullUrl (urn:uuid, stable across exports).
_NAMESPACE = uuid.UUID("6f1c2b8e-3f7a-5a53-9c51-1d1b7c2f4e10")

#: Text VRs a DICOM header may hide a number in.
_TEXT_VRS = {"LO", "SH", "PN", "LT", "ST", "UT", "CS", "UC", "DS", "IS", "AE"}


class ExportError(Exception):
    """The patient cannot be exported by this actor (not of their clinic)."""


@dataclass
class ArchiveFile:
    path: str
    sha256: str
    size_bytes: int
    note: str = ""


@dataclass
class ExportSummary:
    resources: int
    files: list[ArchiveFile] = field(default_factory=list)
    masked_in_bundle: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {"resources": self.resources, "files": len(self.files)}


def full_url(clinic_slug: str, resource_type: str, resource_id: str) -> str:
    base = str(getattr(settings, "ATLASCHART_FHIR_BASE_URL", "") or "").rstrip("/")
    if base:
        return f"{base}/{resource_type}/{resource_id}"
    name = f"{clinic_slug}/{resource_type}/{resource_id}"
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def mask_rrn(text: str) -> tuple[str, int]:
    return RRN.subn(RRN_MASK, text)


def bundle_dict(actor: Actor, patient: Any) -> tuple[dict[str, Any], list[Any]]:
    """The Bundle as JSON data (validated through fhir.resources), and the resources in it."""
    from fhir.resources.R4B.bundle import Bundle

    from atlaschart.fhir.registry import patient_resources

    if actor.clinic_id is None or patient.clinic_id != actor.clinic_id:
        raise ExportError("patient not of the acting user's clinic")
    resources = patient_resources(actor, patient)
    slug = patient.clinic.slug
    now = timezone.now()
    entries = [
        {
            "fullUrl": full_url(slug, r.get_resource_type(), str(r.id)),
            "resource": r.model_dump(mode="json", exclude_none=True),
        }
        for r in resources
    ]
    data = {
        "resourceType": "Bundle",
        "id": f"export-{patient.pk}-{now:%Y%m%d%H%M%S}",
        "meta": {"lastUpdated": now.isoformat()},
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{uuid.uuid4()}",
        },
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(data)
    return data, resources


def bundle_json(actor: Actor, patient: Any) -> tuple[str, int, int]:
    """The Bundle as JSON text with any RRN-shaped number masked; (text, resources, masked)."""
    data, resources = bundle_dict(actor, patient)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text, masked = mask_rrn(text)
    return text, len(resources), masked


# --- the files the Bundle references ---------------------------------------------------------


def _photo_files(actor: Actor, patient: Any) -> Iterator[tuple[str, str, str]]:
    """(archive path, media name, stored sha256) of each posture photo."""
    from atlaschart.fhir.observations import photo_path
    from atlaschart.posture.access import shots_of_clinic

    for shot in shots_of_clinic(actor).filter(session__patient=patient).order_by("id"):
        yield photo_path(shot), str(shot.image.name), shot.sha256


def _dicom_files(actor: Actor, patient: Any) -> Iterator[tuple[str, str, str]]:
    from atlaschart.fhir.imaging import dicom_path
    from atlaschart.imaging_studies.access import instances_of_clinic

    seen: set[str] = set()
    instances = (
        instances_of_clinic(actor)
        .filter(series__study__patient=patient)
        .select_related("blob")
        .order_by("series__study_id", "series_id", "instance_number", "id")
    )
    for instance in instances:
        path = dicom_path(instance)
        if path in seen:
            continue
        seen.add(path)
        yield path, instance.blob.relative_path, instance.blob.sha256


def masked_dicom(data: bytes) -> bytes | None:
    """The file with every RRN-shaped value in its header masked, or ``None`` when it has none
    (or cannot be parsed: it is then exported as stored)."""
    import pydicom

    try:
        header = pydicom.dcmread(io.BytesIO(data), force=True, stop_before_pixels=True)
        if not any(_rrn_in(element) for element in header.iterall()):
            return None
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except Exception:  # not readable as DICOM: nothing to mask in its header
        return None
    changed = False
    for element in ds.iterall():
        if element.VR not in _TEXT_VRS or element.tag == 0x7FE00010:
            continue
        values = element.value if element.VM > 1 else [element.value]
        new_values = []
        hit = False
        for value in values:
            text = str(value) if value is not None else ""
            masked, count = mask_rrn(text)
            if count:
                hit = True
                new_values.append(masked if element.VR not in ("DS", "IS") else "")
            else:
                new_values.append(value)
        if hit:
            changed = True
            element.value = new_values if element.VM > 1 else new_values[0]
    if not changed:
        return None
    out = io.BytesIO()
    ds.save_as(out)
    return out.getvalue()


def _rrn_in(element: Any) -> bool:
    if element.VR not in _TEXT_VRS or element.value is None:
        return False
    values = element.value if element.VM > 1 else [element.value]
    return any(RRN.search(str(value)) for value in values)


def write_archive(actor: Actor, patient: Any, out: IO[bytes]) -> ExportSummary:
    """Write the archive to ``out`` (a file opened for binary writing). Not logged: callers
    use :func:`export_patient`, which logs first."""
    from atlaschart.lib import media

    text, count, masked = bundle_json(actor, patient)
    summary = ExportSummary(resources=count, masked_in_bundle=masked)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        payload = text.encode("utf-8")
        archive.writestr("bundle.json", payload)
        summary.files.append(
            ArchiveFile("bundle.json", hashlib.sha256(payload).hexdigest(), len(payload))
        )
        for path, name, stored_sha in [
            *_photo_files(actor, patient),
            *_dicom_files(actor, patient),
        ]:
            try:
                data = media.read(name)
            except (OSError, FileNotFoundError):
                summary.files.append(ArchiveFile(path, "", 0, note="missing from storage"))
                continue
            note = ""
            if path.endswith(".dcm"):
                replaced = masked_dicom(data)
                if replaced is not None:
                    data = replaced
                    note = f"resident registration number masked; stored sha256 {stored_sha}"
            digest = hashlib.sha256(data).hexdigest()
            if not note and stored_sha and digest != stored_sha:
                note = f"differs from the stored sha256 {stored_sha}"
            # Photos and DICOM are already compressed (or large): stored, not deflated again.
            archive.writestr(zipfile.ZipInfo(path, date_time=_zip_time()), data, zipfile.ZIP_STORED)
            summary.files.append(ArchiveFile(path, digest, len(data), note))
        archive.writestr("manifest.json", json.dumps(_manifest(patient, summary), indent=1))
    return summary


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = timezone.localtime()
    return (max(now.year, 1980), now.month, now.day, now.hour, now.minute, now.second)


def _manifest(patient: Any, summary: ExportSummary) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "fhir_version": FHIR_VERSION,
        "fhir_models": MODELS,
        "clinic": patient.clinic.slug,
        "chart_number": patient.chart_number,
        "created_at": timezone.now().isoformat(),
        "resources": summary.resources,
        "rrn_masked_in_bundle": summary.masked_in_bundle,
        "files": [
            {k: v for k, v in vars(f).items() if v != "" or k in ("path", "sha256")}
            for f in summary.files
        ],
    }


def export_detail(reason: str, via: str = "web") -> str:
    """The access-log detail of an export (audit/describe.py puts it in words)."""
    return f"FHIR export ({via}); reason: {' '.join(reason.split())[:200]}"


def log_export(actor: Actor, patient_id: int, reason: str) -> Any:
    """The export's access-log row, through the patient door (another clinic's patient: 404)."""
    from atlaschart.audit.models import Action
    from atlaschart.patients.access import get_patient_for_user

    via = "cli" if actor.via == "cli" else "web"
    return get_patient_for_user(
        actor, patient_id, action=Action.EXPORT, detail=export_detail(reason, via)
    )


def export_patient(actor: Actor, patient_id: int, reason: str, out: IO[bytes]) -> ExportSummary:
    """Log the export, then write the archive of the patient ``patient_id`` to ``out``.

    The row is written (and committed) before the archive is built: a download that fails
    halfway is still on the record as attempted."""
    with transaction.atomic():
        patient = log_export(actor, patient_id, reason)
    return write_archive(actor, patient, out)


def export_bundle_only(actor: Actor, patient_id: int, reason: str) -> str:
    with transaction.atomic():
        patient = log_export(actor, patient_id, reason)
    text, _count, _masked = bundle_json(actor, patient)
    return text
