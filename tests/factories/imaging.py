"""Imaging records made through ``atlaschart.imaging_studies.services``: a study imported by the
import service (the same ``importing`` the web upload's job runs), an upper-cervical analysis by
``save_analysis``, a listing table by ``store_listing_table``, and ``one_of_every_kind`` (the
door and hostile-input tests' world) from those and the posture factories. Each call acts as the
given user (``Actor.system``) and writes the access-log rows the service writes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from atlaschart.imaging_studies import services
from atlaschart.imaging_studies.forms import flat_to_core, parse_listing_table
from atlaschart.imaging_studies.models import Instance, ListingTable, UCAnalysis
from atlaschart.lib.actor import Actor
from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL


def imported_study(
    user: Any, patient: Any, *files: bytes | tuple[str, bytes], confirm: bool = True
) -> services.Imported | services.NeedsConfirmation:
    """Import ``files`` (bytes, named ``0.dcm``, ``1.dcm``, ...; or ``(name, bytes)``) into
    ``patient``'s chart as ``user``. Files that name another patient are staged for the identity
    step and, with ``confirm``, confirmed at once as the clinician would."""
    actor = Actor.system(user, via="test")
    items = [f if isinstance(f, tuple) else (f"{i}.dcm", f) for i, f in enumerate(files)]
    outcome = services.receive_upload(actor, patient, items)
    if confirm and isinstance(outcome, services.NeedsConfirmation):
        confirmed = services.import_staged(actor, patient, outcome.token)
        assert confirmed is not None
        return confirmed
    return outcome


def uc_analysis(
    user: Any,
    inst: Instance,
    points: Mapping[str, Any],
    *,
    view: str = "nasium",
    listing: str = "",
    vector: str = "",
) -> UCAnalysis:
    """An analysis of ``inst`` from editor-style points (``skull_pairs.1.right``, ``apl_left``,
    ...; image pixels), computed and stored as the analysis page's save does, with the clinic's
    active listing table for the view."""
    actor = Actor.system(user, via="test")
    analysis, _outcome = services.save_analysis(
        actor,
        inst,
        view=view,
        profile=GENERIC_ORTHOGONAL,
        points=flat_to_core(dict(points), (inst.columns, inst.rows)),
        listing=listing,
        vector=vector,
        listing_table=services.active_listing_table(actor, view),
    )
    return analysis


def listing_table(admin: Any, data: Mapping[str, Any], *, activate: bool = False) -> ListingTable:
    """A listing rule table of ``admin``'s clinic, read and checked as the upload form does."""
    actor = Actor.system(admin, via="test")
    assert actor.clinic_id is not None
    parsed, table = parse_listing_table(json.dumps(dict(data)).encode(), actor.clinic_id)
    return services.store_listing_table(actor, parsed, table, activate=activate)


# Nasium landmarks on a 32 x 32 radiograph (a tenth of tests/builders/radiograph.py's NASIUM):
# a record to reach through the doors, its values are not the point.
SMALL_NASIUM = {
    "skull_pairs.1.right": [8, 6],
    "skull_pairs.1.left": [24, 6],
    "skull_pairs.2.right": [8, 26],
    "skull_pairs.2.left": [24, 26],
    "apl_right": [10, 20],
    "apl_left": [21, 18],
}

WORLD_TABLE = {
    "id": "seoul",
    "version": "1",
    "view": "nasium",
    "rules": [{"when": {"head_tilt_deg": {"max": 1}}, "listing": "X"}],
}


def one_of_every_kind(personas: Any) -> dict[str, Any]:
    """One record of every kind of the imaging and posture apps in the Seoul clinic, made through
    the services, by the ids their URLs take: a study of a DX image and a three-slice CT volume,
    an analysis, an (inactive) listing table, a posture session with a shot, a chunked upload set
    (nothing sent yet) and a finished de-identified export job."""
    from pydicom.uid import generate_uid

    from atlaschart.imaging_studies import jobs as imaging_jobs
    from atlaschart.imaging_studies import uploads
    from atlaschart.imaging_studies.models import Series, Study
    from atlaschart.jobs.services import submit
    from tests.builders.dicom import image
    from tests.builders.photos import flat_jpeg
    from tests.factories.posture import posture_session, posture_shot

    study_uid, ct_series = generate_uid(), generate_uid()
    dx = image("DX", 32, 32, study_uid, generate_uid())
    ct = [image("CT", 6, 8, study_uid, ct_series, k) for k in range(3)]
    outcome = imported_study(
        personas.clinician,
        personas.patient,
        ("dx.dcm", dx),
        *[(f"ct{k}.dcm", d) for k, d in enumerate(ct)],
        confirm=False,
    )
    assert isinstance(outcome, services.Imported)
    study = Study.objects.get()
    volume = Series.objects.get(series_instance_uid=ct_series)
    assert volume.is_volume
    inst = Instance.objects.get(series__modality="DX")
    analysis = uc_analysis(personas.clinician, inst, SMALL_NASIUM)
    table = listing_table(personas.admin, WORLD_TABLE)
    session = posture_session(personas.clinician, personas.patient)
    shot = posture_shot(personas.clinician, session, [], photo=flat_jpeg(40, 30))
    upload_set = uploads.open_set(
        [("a.dcm", 4)], user_id=personas.clinician.pk, patient_id=personas.patient.pk
    )
    export_job = submit(
        Actor.system(personas.clinician, via="test"),
        imaging_jobs.EXPORT_KIND,
        patient=personas.patient,
        input_sha256=imaging_jobs.export_input_sha256(study),
        payload={"study": study.pk},
    )
    export_job.refresh_from_db()
    assert export_job.state == "done", export_job.error_code
    return {
        "key": upload_set.key,
        "index": 0,
        "job_id": export_job.pk,
        "patient_id": personas.patient.pk,
        "study_id": study.pk,
        "instance_id": inst.pk,
        "series_id": volume.pk,
        "analysis_id": analysis.pk,
        "table_pk": table.pk,
        "session_id": session.pk,
        "shot_id": shot.pk,
    }
