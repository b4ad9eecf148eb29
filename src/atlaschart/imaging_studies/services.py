"""Writes to imaging records. One user action = one transaction + access log entries; a failure
leaves nothing behind (blob files written by a failed import are removed again)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from pydicom.uid import generate_uid

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.imaging import dicom
from atlaschart.imaging_studies import storage
from atlaschart.imaging_studies.forms import vector_text
from atlaschart.imaging_studies.models import (
    Blob,
    Instance,
    ListingTable,
    Series,
    Study,
    UCAnalysis,
)
from atlaschart.imaging_studies.upload import ParsedUpload
from atlaschart.measure.radiograph import (
    GENERIC_ORTHOGONAL,
    Analysis,
    ListingOutcome,
    Profile,
    RuleTable,
    analyse_dict,
    evaluate,
    manual_calibration,
)
from atlaschart.patients.models import Patient

PROFILES: dict[str, Profile] = {GENERIC_ORTHOGONAL.label: GENERIC_ORTHOGONAL}


def _blob(data: bytes, kind: str, created: list[str]) -> Blob:
    digest, new_file = storage.write_blob(data)
    if new_file:
        created.append(digest)
    blob, _ = Blob.objects.get_or_create(
        sha256=digest, defaults={"size_bytes": len(data), "kind": kind}
    )
    return blob


def _volume_ok(datasets: list[Any]) -> bool:
    """A series is shown as a volume (axial/coronal/sagittal) when the adapter can build one."""
    if len(datasets) == 1 and "PerFrameFunctionalGroupsSequence" not in datasets[0]:
        return False
    try:
        dicom.volume_from_datasets(datasets)
    except (dicom.DicomError, ValueError):
        return False
    return True


def _first_float_pair(ds: Any, keyword: str) -> list[float] | None:
    value = ds.get(keyword)
    return [float(value[0]), float(value[1])] if value else None


def import_upload(
    request: HttpRequest, patient: Patient, parsed: ParsedUpload, *, identity_confirmed: bool
) -> dict[str, int]:
    """Store a parsed upload for ``patient``; returns counts (studies, instances, duplicates)."""
    created: list[str] = []
    try:
        with transaction.atomic():
            return _import(request, patient, parsed, identity_confirmed, created)
    except BaseException:
        for digest in created:
            storage.remove_blob_file(digest)
        raise


def _import(
    request: HttpRequest,
    patient: Patient,
    parsed: ParsedUpload,
    confirmed: bool,
    created: list[str],
) -> dict[str, int]:
    counts = {"studies": 0, "instances": 0, "duplicates": 0}
    data_of = {id(d.dataset): d.data for d in parsed.dicoms}
    user = request.user
    for st in parsed.studies:
        study, new = Study.objects.get_or_create(
            patient=patient,
            study_instance_uid=st.study_instance_uid,
            defaults={
                "study_date": st.study_date or "",
                "file_patient_name": (st.patient_name or "")[:200],
                "file_patient_id": (st.patient_id or "")[:64],
                "identity_confirmed": confirmed,
                "created_by": user,
                "description": "",
            },
        )
        added = 0
        for se in st.series:
            series, _ = Series.objects.get_or_create(
                study=study,
                series_instance_uid=se.series_instance_uid,
                defaults={
                    "modality": se.modality or "",
                    "description": (se.description or "")[:200],
                },
            )
            for inst in se.instances:
                if Instance.objects.filter(
                    series=series, sop_instance_uid=inst.sop_instance_uid
                ).exists():
                    counts["duplicates"] += 1
                    continue
                ds = inst.dataset
                info = dicom.summary(ds, source=inst.name)
                cal = info["calibration"]
                Instance.objects.create(
                    series=series,
                    sop_instance_uid=inst.sop_instance_uid,
                    instance_number=inst.instance_number,
                    blob=_blob(data_of[id(ds)], "dicom", created),
                    rows=int(info["rows"] or 0),
                    columns=int(info["columns"] or 0),
                    frames=int(info["frames"] or 1),
                    transfer_syntax=info["transfer_syntax"][:80],
                    spacing_source=cal["spacing_source"],
                    row_spacing_mm=cal["row_spacing_mm"],
                    col_spacing_mm=cal["col_spacing_mm"],
                    magnification=cal["magnification"],
                )
                added += 1
            if not series.is_volume and _volume_ok([i.dataset for i in se.instances]):
                series.is_volume = True
                series.save(update_fields=["is_volume"])
        counts["instances"] += added
        if new or added:
            counts["studies"] += 1
            log_access(
                request,
                Action.CREATE if new else Action.UPDATE,
                patient=patient,
                obj=study,
                detail=f"imported {added} image(s)"
                + ("; identity difference confirmed" if confirmed else ""),
            )
    if parsed.films:
        study = Study.objects.create(
            patient=patient,
            study_instance_uid=generate_uid(),
            is_film=True,
            description="film scan",
            created_by=user,
            identity_confirmed=confirmed,
        )
        series = Series.objects.create(
            study=study, series_instance_uid=generate_uid(), modality="OT", description="film scan"
        )
        for n, film in enumerate(parsed.films, start=1):
            Instance.objects.create(
                series=series,
                sop_instance_uid=generate_uid(),
                instance_number=n,
                blob=_blob(film.data, film.kind, created),
                rows=film.height,
                columns=film.width,
                transfer_syntax=film.kind.upper(),
                spacing_source="none",
            )
        counts["studies"] += 1
        counts["instances"] += len(parsed.films)
        log_access(
            request,
            Action.CREATE,
            patient=patient,
            obj=study,
            detail=f"imported {len(parsed.films)} film scan(s)",
        )
    return counts


# --- per-image records -----------------------------------------------------------------------


@transaction.atomic
def update_instance(request: HttpRequest, inst: Instance, data: Mapping[str, Any]) -> list[str]:
    """Apply a validated update (forms.parse_instance_update): orientation, landmarks,
    magnification, manual calibration. Returns the changed field names (logged)."""
    changed = []
    for field in ("projection", "patient_right_on", "landmarks", "magnification"):
        if field in data and getattr(inst, field) != data[field]:
            setattr(inst, field, data[field])
            changed.append(field)
    if "calibration" in data:
        c = data["calibration"]
        cal = manual_calibration(tuple(c["a"]), tuple(c["b"]), c["length_mm"])
        inst.spacing_source, inst.magnification = "manual", 1.0
        inst.row_spacing_mm, inst.col_spacing_mm = cal.row_spacing_mm, cal.col_spacing_mm
        changed += ["calibration"]
    if changed:
        inst.save()
        log_access(
            request,
            Action.UPDATE,
            patient=inst.series.study.patient,
            obj=inst,
            detail="fields: " + ", ".join(changed),
        )
    return changed


@transaction.atomic
def save_volume_landmarks(
    request: HttpRequest, series: Series, landmarks: list[dict[str, Any]]
) -> None:
    series.landmarks_3d = landmarks
    series.save(update_fields=["landmarks_3d"])
    log_access(
        request,
        Action.UPDATE,
        patient=series.study.patient,
        obj=series,
        detail=f"3-D landmarks: {len(landmarks)}",
    )


# --- upper cervical analyses -----------------------------------------------------------------


def landmark_form(inst: Instance, view: str, points: Mapping[str, Any]) -> dict[str, Any]:
    """The core's JSON landmark form (docs/radiograph.md) for points placed on ``inst``."""
    form: dict[str, Any] = {
        "view": view,
        "points": dict(points),
        "magnification": inst.magnification,
    }
    if inst.calibrated:
        form["pixel_spacing_mm"] = [inst.row_spacing_mm, inst.col_spacing_mm]
        form["spacing_source"] = inst.spacing_source
    return form


def compute(analysis_form: Mapping[str, Any], profile: Profile) -> Analysis:
    """Raises LandmarkError / GeometryError (ValueError) with a one-line English reason."""
    return analyse_dict(analysis_form, profile)


def listing_proposal(table: ListingTable | None, result: Analysis) -> ListingOutcome:
    """What the clinic's table proposes for these values (``source == "clinician"``: nothing,
    either because there is no table or because no rule matches; ``table`` then says which)."""
    return evaluate(table.rule_table() if table else None, result.as_mapping())


@transaction.atomic
def save_analysis(
    request: HttpRequest,
    inst: Instance,
    *,
    view: str,
    profile: Profile,
    points: Mapping[str, Any],
    listing: str,
    vector: str,
    listing_table: ListingTable | None = None,
    use_table: bool = True,
    analysis: UCAnalysis | None = None,
) -> tuple[UCAnalysis, ListingOutcome]:
    """Create or update an analysis; derived values are recomputed through the core every time.

    ``listing_table`` is the clinic's active table for the view. Its proposal is stored (with the
    table version and rule as provenance) when ``use_table`` and a rule matches; otherwise the
    clinician's listing and vector are stored. Returns the analysis and the table's proposal."""
    form = landmark_form(inst, view, points)
    result = compute(form, profile)
    outcome = listing_proposal(listing_table, result)
    from_table = use_table and outcome.source == "rule-table"
    if from_table:
        listing = outcome.listing or ""
        vector = vector_text(outcome.vector)
    new = analysis is None
    if analysis is None:
        analysis = UCAnalysis(
            instance=inst, patient=inst.series.study.patient, created_by=request.user
        )
    analysis.view = view
    analysis.profile_id, analysis.profile_version = profile.id, profile.version
    analysis.algorithm = result.algorithm.label
    analysis.points = form
    analysis.values = result.to_json()["values"]
    analysis.warnings = list(result.warnings)
    analysis.listing_source = "rule-table" if from_table else "clinician"
    analysis.listing_table = listing_table if from_table else None
    analysis.listing_rule = outcome.rule_index if from_table else None
    analysis.listing, analysis.vector = listing[:60], vector[:200]
    analysis.save()
    detail = result.algorithm.label
    if from_table:
        detail += f"; listing from {outcome.table} rule {outcome.rule_index}"
    elif outcome.source == "rule-table":
        detail += f"; listing entered by the clinician instead of {outcome.table}"
    log_access(
        request,
        Action.CREATE if new else Action.UPDATE,
        patient=analysis.patient,
        obj=analysis,
        detail=detail,
    )
    return analysis, outcome


# --- clinic listing rule tables ----------------------------------------------------------------


def listing_tables_of_clinic(clinic_id: int) -> Any:
    return ListingTable.objects.filter(clinic_id=clinic_id)


def active_listing_table(clinic_id: int, view: str) -> ListingTable | None:
    return listing_tables_of_clinic(clinic_id).filter(view=view, is_active=True).first()


class ListingTableConflict(Exception):
    """Another request stored the same version (or activated a table) at the same moment."""


def store_listing_table(
    request: HttpRequest, data: dict[str, Any], table: RuleTable, *, activate: bool
) -> ListingTable:
    """Store a table the form has validated as a new version; with ``activate`` it replaces the
    view's active table (the old version stays stored, inactive). One transaction, logged."""
    clinic_id = request.user.clinic_id  # type: ignore[union-attr]
    try:
        with transaction.atomic():
            if activate:
                _deactivate_view(request, clinic_id, table.view)
            row = ListingTable.objects.create(
                clinic_id=clinic_id,
                table_id=table.id,
                version=table.version,
                view=table.view,
                source=json.dumps(data, ensure_ascii=False),
                is_active=activate,
                uploaded_by=request.user,
            )
            log_access(
                request,
                Action.CREATE,
                patient=None,
                obj=row,
                detail=f"listing table {row.label} ({row.view}, {len(table.rules)} rules)"
                + ("; active" if activate else ""),
            )
            return row
    except IntegrityError as exc:
        raise ListingTableConflict from exc


def _deactivate_view(request: HttpRequest, clinic_id: int, view: str) -> None:
    for old in (
        listing_tables_of_clinic(clinic_id).select_for_update().filter(view=view, is_active=True)
    ):
        old.is_active = False
        old.save(update_fields=["is_active"])
        log_access(request, Action.UPDATE, patient=None, obj=old, detail=f"{old.label} deactivated")


def set_listing_table_active(request: HttpRequest, row: ListingTable, active: bool) -> None:
    """Activate a stored version (the view's active one, if another, is deactivated) or
    deactivate it (the view then has no table: clinicians enter listings)."""
    if row.is_active == active:
        return
    try:
        with transaction.atomic():
            if active:
                _deactivate_view(request, row.clinic_id, row.view)
                row.is_active = True
                row.save(update_fields=["is_active"])
                log_access(
                    request, Action.UPDATE, patient=None, obj=row, detail=f"{row.label} activated"
                )
            else:
                _deactivate_view(request, row.clinic_id, row.view)
    except IntegrityError as exc:
        raise ListingTableConflict from exc
