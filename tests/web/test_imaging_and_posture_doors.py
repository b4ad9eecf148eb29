"""The doors, the role policy and the chart for imaging and posture.

One object of every kind is made in the Seoul clinic; every URL of the two apps is taken from the
resolver (a new one without an id below fails ``url_for``), then requested

- by the Seoul clinic admin: reaches every id (so the 404s below are not a wrong id);
- by a Busan clinic admin, who holds every permission, so the door is all that stops them: 404;
- by Seoul's front desk: 403 on every page and action (photos and images are clinical content),
  nothing written but the ``denied`` row.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

import atlaschart.web.celery  # noqa: F401  (the project's Celery app: jobs run eagerly in tests)
from atlaschart.accounts.models import Role, User
from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging_studies import access as imaging_access
from atlaschart.imaging_studies import jobs as imaging_jobs
from atlaschart.imaging_studies import services as imaging_services
from atlaschart.imaging_studies import uploads
from atlaschart.imaging_studies.models import Instance, ListingTable, Series, Study, UCAnalysis
from atlaschart.jobs.services import submit
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.posture import access as posture_access
from atlaschart.posture.models import LandmarkRevision, PostureSession, PostureShot

pytestmark = pytest.mark.django_db
APPS = ("imaging_studies", "posture")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _dicom(modality: str, rows: int, cols: int, study: str, series: str, k: int = 0) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.PatientName, ds.PatientID, ds.Modality = "Kim^Minjun", "000001", modality
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.Rows, ds.Columns, ds.InstanceNumber = rows, cols, k + 1
    ds.PixelSpacing = [0.5, 0.5]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0, 0, 2.5 * k]
    ds.PixelData = np.full((rows, cols), k, np.uint16).tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(buf, "JPEG")
    return buf.getvalue()


TABLE = {
    "id": "seoul",
    "version": "1",
    "view": "nasium",
    "rules": [{"when": {"head_tilt_deg": {"max": 1}}, "listing": "X"}],
}


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    """One record of every kind in Seoul, made through the services where they exist."""
    actor = Actor.system(personas.clinician, via="test")
    study_uid = generate_uid()
    dx = _dicom("DX", 32, 32, study_uid, generate_uid())
    ct_series = generate_uid()
    ct = [_dicom("CT", 6, 8, study_uid, ct_series, k) for k in range(3)]
    outcome = imaging_services.receive_upload(
        actor, personas.patient, [("dx.dcm", dx)] + [(f"ct{k}.dcm", d) for k, d in enumerate(ct)]
    )
    assert isinstance(outcome, imaging_services.Imported)
    study = Study.objects.get()
    volume = Series.objects.get(series_instance_uid=ct_series)
    assert volume.is_volume
    inst = Instance.objects.get(series__modality="DX")
    analysis = UCAnalysis.objects.create(
        instance=inst,
        patient=personas.patient,
        view="nasium",
        profile_id="generic",
        profile_version="1",
        algorithm="test@1",
    )
    table = ListingTable.objects.create(
        clinic=personas.seoul,
        table_id="seoul",
        version="1",
        view="nasium",
        source=json.dumps(TABLE),
    )
    session = PostureSession.objects.create(
        patient=personas.patient, taken_on="2025-03-01", clinician=personas.clinician
    )
    shot = PostureShot(
        session=session,
        view="anterior",
        image_format="JPEG",
        width=40,
        height=30,
        sha256="0" * 64,
        created_by=personas.clinician,
    )
    shot.image.save("p.jpg", ContentFile(_jpeg()), save=False)
    shot.save()
    LandmarkRevision.objects.create(shot=shot, number=1, source="model", landmarks=[])
    # A chunked upload set (nothing sent yet) and a finished de-identified export job.
    upload_set = uploads.open_set(
        [("a.dcm", 4)], user_id=personas.clinician.pk, patient_id=personas.patient.pk
    )
    export_job = submit(
        actor,
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


def urls(world: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(name, url, has an id) for every URL pattern of the two apps, from the resolver."""
    out = []
    for top in get_resolver().url_patterns:
        if not isinstance(top, URLResolver) or top.namespace not in APPS:
            continue
        for pattern in top.url_patterns:
            names = list(pattern.pattern.converters)
            name = f"{top.namespace}:{pattern.name}"
            # KeyError here: a new URL needs a record above, so it is walked too.
            out.append((name, reverse(name, kwargs={k: world[k] for k in names}), bool(names)))
    assert len(out) >= 25
    return out


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def busan_admin(personas: Any) -> Any:
    return User.objects.create_user("busan-admin", clinic=personas.busan, role=Role.CLINIC_ADMIN)


def snapshot() -> dict[str, Any]:
    """Everything a request could write, except the access log's ``denied`` rows."""
    return {
        "rows": [
            m.objects.count()
            for m in (Study, Series, Instance, UCAnalysis, ListingTable, PostureSession)
        ]
        + [PostureShot.objects.count(), LandmarkRevision.objects.count()],
        "log": AccessLogEntry.objects.exclude(action="denied").count(),
        "instances": list(Instance.objects.values_list("landmarks", "spacing_source")),
        "volumes": list(Series.objects.values_list("landmarks_3d", flat=True)),
        "tables": list(ListingTable.objects.values_list("is_active", flat=True)),
        "shots": list(PostureShot.objects.values_list("cal_distance_mm", flat=True)),
    }


def test_the_own_clinic_reaches_every_id(personas: Any, world: dict[str, Any]) -> None:
    """The control: the ids below are real, so a 404 for Busan is the door, not a typo."""
    c = client_for(personas.admin)
    for name, url, _has_id in urls(world):
        status = c.get(url).status_code
        assert status in (200, 302, 405), (name, status)


def test_another_clinic_gets_404_for_every_id(personas: Any, world: dict[str, Any]) -> None:
    c = client_for(busan_admin(personas))
    before = snapshot()
    checked = 0
    for name, url, has_id in urls(world):
        if not has_id:
            continue
        statuses = {c.get(url).status_code, c.post(url, {}).status_code}
        # 405: the method this URL does not take (GET-only tiles, POST-only actions).
        assert 404 in statuses and statuses <= {404, 405}, (name, statuses)
        checked += 1
    assert checked >= 20
    assert snapshot() == before


def test_front_desk_is_refused_every_imaging_and_posture_page(
    personas: Any, world: dict[str, Any]
) -> None:
    c = client_for(personas.desk)
    before = snapshot()
    for name, url, _has_id in urls(world):
        statuses = {c.get(url).status_code, c.post(url, {}).status_code}
        assert 403 in statuses and statuses <= {403, 405}, (name, statuses)
    assert snapshot() == before


def test_front_desk_sees_no_imaging_or_posture_on_the_chart(
    personas: Any, world: dict[str, Any]
) -> None:
    chart = reverse("patients:chart", args=[personas.patient.pk])
    desk = client_for(personas.desk).get(chart)
    assert desk.status_code == 200
    page = desk.content.decode()
    assert "/imaging/" not in page and "/posture/" not in page
    assert 'id="section-imaging"' not in page and 'id="section-posture"' not in page
    clinician = client_for(personas.clinician).get(chart).content.decode()
    assert "/imaging/" in clinician and "/posture/" in clinician


DOORS = [
    pytest.param(imaging_access.get_study_for_user, "study_id", id="study"),
    pytest.param(imaging_access.get_series_for_user, "series_id", id="series"),
    pytest.param(imaging_access.get_instance_for_user, "instance_id", id="instance"),
    pytest.param(imaging_access.get_analysis_for_user, "analysis_id", id="analysis"),
    pytest.param(imaging_access.get_listing_table_for_user, "table_pk", id="listing-table"),
    pytest.param(posture_access.get_session_for_user, "session_id", id="posture-session"),
    pytest.param(posture_access.get_shot_for_user, "shot_id", id="posture-shot"),
]


@pytest.mark.parametrize(("door", "key"), DOORS)
def test_each_door_hands_out_its_own_clinics_record_only(
    personas: Any, world: dict[str, Any], door: Any, key: str
) -> None:
    own = door(Actor.system(personas.clinician, via="test"), world[key])
    assert own.pk == world[key]
    with pytest.raises(RecordNotFound):
        door(Actor.system(personas.outsider, via="test"), world[key])
    with pytest.raises(RecordNotFound):
        door(Actor.system(None, via="test"), world[key])


SCOPES = [
    imaging_access.studies_of_clinic,
    imaging_access.series_of_clinic,
    imaging_access.instances_of_clinic,
    imaging_access.analyses_of_clinic,
    imaging_access.listing_tables_of_clinic,
    posture_access.sessions_of_clinic,
    posture_access.shots_of_clinic,
]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda f: f.__name__)
def test_each_scope_holds_the_own_clinic_only(
    personas: Any, world: dict[str, Any], scope: Any
) -> None:
    assert scope(Actor.system(personas.clinician, via="test")).exists()
    assert not scope(Actor.system(personas.outsider, via="test")).exists()


def test_image_tiles_are_logged_once_per_browser_session(
    personas: Any, world: dict[str, Any]
) -> None:
    c = client_for(personas.clinician)
    image = reverse("imaging_studies:image", args=[world["instance_id"]])
    photo = reverse("posture:image", args=[world["shot_id"]])
    for _ in range(3):
        assert c.get(image + "?wc=10&ww=20").status_code == 200
        assert c.get(photo).status_code == 200
    rows = AccessLogEntry.objects.filter(detail__in=["image", "photo"], user=personas.clinician)
    assert sorted(rows.values_list("detail", flat=True)) == ["image", "photo"]


def test_a_role_that_may_only_read_writes_nothing(
    personas: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that read on GET and write on POST check the write permission on POST: a role the
    policy lets read (but not write) images, photos and settings gets 403 on every POST."""
    from atlaschart.lib import policy

    read_only = frozenset({policy.Permission.LIST, policy.Permission.READ})
    kinds = (policy.Kind.IMAGING, policy.Kind.POSTURE, policy.Kind.CLINIC_SETTINGS)
    table = dict(policy.POLICY)
    table["front_desk"] = {**policy.POLICY["front_desk"], **dict.fromkeys(kinds, read_only)}
    monkeypatch.setattr(policy, "POLICY", table)
    writes_on_post = {
        "imaging_studies:listing_tables",
        "posture:patient",
        "posture:session",
        "posture:mdc_settings",
    }
    callbacks = {
        f"{top.namespace}:{p.name}": p.callback
        for top in get_resolver().url_patterns
        if isinstance(top, URLResolver) and top.namespace in APPS
        for p in top.url_patterns
    }
    c = client_for(personas.desk)
    before = snapshot()
    writes = AccessLogEntry.objects.exclude(action__in=["view", "denied"])
    writes_before = writes.count()
    for name, url, _has_id in urls(world):
        declared = getattr(callbacks[name], "atlaschart_permission", None)
        assert declared is not None, f"{name} declares no permission"
        status = c.post(url, {}).status_code
        if declared[1] != policy.Permission.READ or name in writes_on_post:
            assert status == 403, name
        else:
            assert status in (200, 405), name  # a read page ignores a POST
    after = snapshot()
    # Read pages log what they show; nothing else may change.
    assert {**after, "log": 0} == {**before, "log": 0}
    assert writes.count() == writes_before
