"""Writes to imaging records. One user action = one transaction + access log entries; a failure
leaves nothing behind (blob files written by a failed import are removed again).

Every function that writes takes the acting user first (``actor: Actor``), never the request, so
the web views, the CLI and background tasks go through the same rules and write the same audit
rows."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.imaging_studies import importing, rendering, storage
from atlaschart.imaging_studies.access import listing_tables_of_clinic as _tables_of_clinic
from atlaschart.imaging_studies.forms import vector_text
from atlaschart.imaging_studies.models import (
    Instance,
    ListingTable,
    Series,
    Study,
    UCAnalysis,
)
from atlaschart.imaging_studies.upload import (
    ParsedUpload,
)
from atlaschart.lib.actor import Actor
from atlaschart.measure.radiograph import (
    DEFAULT_EXAMINER_SD_DEG,
    GENERIC_ORTHOGONAL,
    Analysis,
    ConstructError,
    ListingOutcome,
    Profile,
    RuleTable,
    analyse,
    analyse_dict,
    construct_errors,
    evaluate,
    landmarks_from_dict,
    manual_calibration,
)
from atlaschart.patients.models import Patient

PROFILES: dict[str, Profile] = {GENERIC_ORTHOGONAL.label: GENERIC_ORTHOGONAL}


# --- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """An upload stored for the patient: counts and the files skipped as not DICOM images."""

    studies: int
    instances: int
    duplicates: int
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class NeedsConfirmation:
    """The files name another patient: staged until the clinician confirms (``token``)."""

    token: str
    differences: list[dict[str, Any]]


def receive_upload(
    actor: Actor, patient: Patient, items: list[tuple[str, bytes]]
) -> Imported | NeedsConfirmation:
    """Import files held in memory (the CLI, tests): store them at once, or stage them when
    their patient name or ID differs from the chart. The same import as the web upload's job
    (``importing``: files on disk, read slice by slice, short batches). Raises ``UploadError``
    (translated message) for a refused upload: nothing stored."""
    storage.sweep_staged()
    return _import_items(actor, patient, items, confirmed=False)


def import_staged(actor: Actor, patient: Patient, token: str) -> Imported | None:
    """Import a staged upload the clinician confirmed. ``None`` when the token is bad, foreign,
    expired or already used; raises ``UploadError`` if the staged files are refused now. The
    staged copy is removed either way."""
    storage.sweep_staged()
    user_id = actor.user.pk if actor.user is not None else 0
    items = storage.load_staged(token, user_id=user_id, patient_id=patient.pk)
    if items is None:
        return None
    try:
        outcome = _import_items(actor, patient, items, confirmed=True)
    finally:
        storage.discard_staged(token, user_id=user_id, patient_id=patient.pk)
    assert isinstance(outcome, Imported)
    return outcome


def discard_staged(actor: Actor, patient: Patient, token: str) -> bool:
    """Remove a staged upload the clinician cancelled; ``False`` for a bad or spent token."""
    user_id = actor.user.pk if actor.user is not None else 0
    return storage.discard_staged(token, user_id=user_id, patient_id=patient.pk)


def import_upload(
    actor: Actor, patient: Patient, parsed: ParsedUpload, *, identity_confirmed: bool
) -> Imported:
    """Store an upload already read by ``upload.parse`` (the living demo's radiograph step in
    clinics/demo_stories): its files go through ``importing`` like every other import."""
    items = [(d.name, d.data) for d in parsed.dicoms] + [(f.name, f.data) for f in parsed.films]
    outcome = _import_items(actor, patient, items, confirmed=identity_confirmed, check=False)
    assert isinstance(outcome, Imported)
    return outcome


def _import_items(
    actor: Actor,
    patient: Patient,
    items: list[tuple[str, bytes]],
    *,
    confirmed: bool,
    check: bool = True,
) -> Imported | NeedsConfirmation:
    """Write ``items`` to a temporary folder and import them from there (``importing``)."""
    with tempfile.TemporaryDirectory(dir=storage.extract_root()) as work:
        folder = Path(work)
        paths = []
        for index, (_name, data) in enumerate(items):
            path = folder / f"{index}.bin"
            path.write_bytes(data)
            paths.append(path)
        prepared = importing.prepare(paths, folder / "inflated", names=[n for n, _d in items])
        if check and not confirmed:
            differences = importing.identity_differences(prepared, patient)
            if differences:
                user_id = actor.user.pk if actor.user is not None else 0
                token = storage.stage(items, user_id=user_id, patient_id=patient.pk)
                return NeedsConfirmation(token, differences)
        outcome = importing.store(actor, patient, prepared, identity_confirmed=confirmed)
    return Imported(outcome.studies, outcome.instances, outcome.duplicates, list(outcome.skipped))


# --- per-image records -----------------------------------------------------------------------


@transaction.atomic
def update_instance(actor: Actor, inst: Instance, data: Mapping[str, Any]) -> list[str]:
    """Apply a validated update (forms.parse_instance_update): orientation, landmarks,
    magnification, manual calibration. Returns the changed field names (logged)."""
    changed = []
    for name in ("projection", "patient_right_on", "landmarks", "magnification"):
        if name in data and getattr(inst, name) != data[name]:
            setattr(inst, name, data[name])
            changed.append(name)
    if "calibration" in data:
        c = data["calibration"]
        cal = manual_calibration(tuple(c["a"]), tuple(c["b"]), c["length_mm"])
        inst.spacing_source, inst.magnification = "manual", 1.0
        inst.row_spacing_mm, inst.col_spacing_mm = cal.row_spacing_mm, cal.col_spacing_mm
        changed += ["calibration"]
    if changed:
        inst.save()
        log_access(
            actor,
            Action.UPDATE,
            patient=inst.series.study.patient,
            obj=inst,
            detail="fields: " + ", ".join(changed),
        )
    return changed


@transaction.atomic
def save_volume_landmarks(actor: Actor, series: Series, landmarks: list[dict[str, Any]]) -> None:
    series.landmarks_3d = landmarks
    series.save(update_fields=["landmarks_3d"])
    log_access(
        actor,
        Action.UPDATE,
        patient=series.study.patient,
        obj=series,
        detail=f"3-D landmarks: {len(landmarks)}",
    )


# --- exports -----------------------------------------------------------------------------------


def log_export_download(actor: Actor, study: Study) -> None:
    """A packed de-identified zip handed out (each download is its own row)."""
    log_access(
        actor,
        Action.EXPORT,
        patient=study.patient,
        obj=study,
        detail="de-identified DICOM zip downloaded",
    )


def export_annotated_png(actor: Actor, inst: Instance, analysis: UCAnalysis | None) -> bytes:
    """The image with its landmarks (and an analysis' constructs) drawn in, logged as exported."""
    data = rendering.annotated_png(inst, analysis)
    detail = "annotated PNG" + (f" with analysis {analysis.pk}" if analysis is not None else "")
    log_access(actor, Action.EXPORT, patient=inst.series.study.patient, obj=inst, detail=detail)
    return data


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


def examiner_sd_deg() -> dict[str, float]:
    """The examiner SDs used for error figures: the published defaults, or a deployment's own
    (``UC_EXAMINER_SD_DEG`` setting, construct name → SD in degrees; docs/radiograph.md)."""
    configured = getattr(settings, "UC_EXAMINER_SD_DEG", None)
    return dict(DEFAULT_EXAMINER_SD_DEG) | dict(configured or {})


def compute_with_errors(
    analysis_form: Mapping[str, Any], profile: Profile
) -> tuple[Analysis, dict[str, ConstructError]]:
    """The analysis and each value's error (1 SD). Raises like :func:`compute`."""
    marks = landmarks_from_dict(analysis_form)
    result = analyse(marks, profile)
    return result, construct_errors(marks, result, examiner_sd_deg())


def listing_proposal(table: ListingTable | None, result: Analysis) -> ListingOutcome:
    """What the clinic's table proposes for these values (``source == "clinician"``: nothing,
    either because there is no table or because no rule matches; ``table`` then says which)."""
    return evaluate(table.rule_table() if table else None, result.as_mapping())


@transaction.atomic
def save_analysis(
    actor: Actor,
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
            instance=inst, patient=inst.series.study.patient, created_by=actor.user
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
        actor,
        Action.CREATE if new else Action.UPDATE,
        patient=analysis.patient,
        obj=analysis,
        detail=detail,
    )
    return analysis, outcome


# --- clinic listing rule tables ----------------------------------------------------------------


def active_listing_table(who: Actor, view: str) -> ListingTable | None:
    """The acting user's clinic's active table for ``view`` (``None``: clinicians enter it)."""
    return _tables_of_clinic(who).filter(view=view, is_active=True).first()


class ListingTableConflict(Exception):
    """Another request stored the same version (or activated a table) at the same moment."""


def store_listing_table(
    actor: Actor, data: dict[str, Any], table: RuleTable, *, activate: bool
) -> ListingTable:
    """Store a table the form has validated as a new version of the acting admin's clinic; with
    ``activate`` it replaces the view's active table (the old version stays stored, inactive).
    One transaction, logged."""
    clinic_id = actor.clinic_id
    if clinic_id is None:
        raise PermissionDenied
    try:
        with transaction.atomic():
            if activate:
                _deactivate_view(actor, table.view)
            row = ListingTable.objects.create(
                clinic_id=clinic_id,
                table_id=table.id,
                version=table.version,
                view=table.view,
                source=json.dumps(data, ensure_ascii=False),
                is_active=activate,
                uploaded_by=actor.user,
            )
            log_access(
                actor,
                Action.CREATE,
                patient=None,
                obj=row,
                detail=f"listing table {row.label} ({row.view}, {len(table.rules)} rules)"
                + ("; active" if activate else ""),
            )
            return row
    except IntegrityError as exc:
        raise ListingTableConflict from exc


def _deactivate_view(actor: Actor, view: str) -> None:
    for old in _tables_of_clinic(actor).select_for_update().filter(view=view, is_active=True):
        old.is_active = False
        old.save(update_fields=["is_active"])
        log_access(actor, Action.UPDATE, patient=None, obj=old, detail=f"{old.label} deactivated")


def set_listing_table_active(actor: Actor, row: ListingTable, active: bool) -> None:
    """Activate a stored version (the view's active one, if another, is deactivated) or
    deactivate it (the view then has no table: clinicians enter listings). ``row`` comes from
    the door, so it belongs to the acting admin's clinic."""
    if row.is_active == active:
        return
    try:
        with transaction.atomic():
            if active:
                _deactivate_view(actor, row.view)
                row.is_active = True
                row.save(update_fields=["is_active"])
                log_access(
                    actor, Action.UPDATE, patient=None, obj=row, detail=f"{row.label} activated"
                )
            else:
                _deactivate_view(actor, row.view)
    except IntegrityError as exc:
        raise ListingTableConflict from exc
