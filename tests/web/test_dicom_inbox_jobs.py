"""Confirming a held inbox study: a short mark under the row lock, the import in a background job
with progress, one study however often it is confirmed or run; the held files in the media
storage (local disk by default, one round trip on S3 when its test server runs).

No receiver thread here: the held items are made by ``services.receive_set`` as the receiver
calls it at the end of an association, on the rolled-back database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid
from tests.builders.object_store import Store, store  # noqa: F401  (the S3 fixture)

from atlaschart.dicom_inbox import importer, services
from atlaschart.dicom_inbox.models import HeldReason, InboxItem, InboxState
from atlaschart.imaging_studies.models import Instance
from atlaschart.jobs.models import Job, JobState
from atlaschart.jobs.services import run_job
from atlaschart.lib import media
from atlaschart.lib.actor import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _received(folder: Path, name: str, count: int = 1) -> list[services.Received]:
    """``count`` slices of one CT study as the receiver stages them."""
    folder.mkdir(parents=True, exist_ok=True)
    study = generate_uid()
    out = []
    for n in range(count):
        ds = dcmread(get_testdata_file("CT_small.dcm"))
        ds.PatientID, ds.PatientName = "000001", name
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, ds.SeriesInstanceUID
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.InstanceNumber = n + 1
        path = folder / f"{n}.dcm"
        ds.save_as(path, enforce_file_format=True)
        out.append(
            services.Received(
                path=path,
                sha256=__import__("hashlib").sha256(path.read_bytes()).hexdigest(),
                size_bytes=path.stat().st_size,
                sop_class_uid=str(ds.SOPClassUID),
                sop_instance_uid=str(ds.SOPInstanceUID),
                study_instance_uid=study,
                patient_id="000001",
                patient_name=name,
                birth_date="",
                study_date="20240105",
                study_description="CBCT",
                modality="CT",
            )
        )
    return out


def _held(personas: Any, tmp_path: Path, name: str = "Lee^Jieun", count: int = 1) -> InboxItem:
    actor = Actor(user=personas.admin, client_ip="127.0.0.1", via="dicom")
    receipt = services.receive_set(
        actor,
        calling_ae="CBCT1",
        peer_address="127.0.0.1",
        objects=_received(tmp_path / "staging", name, count),
    )
    (pk,) = receipt.held
    return InboxItem.objects.get(pk=pk)


def _clinician(personas: Any) -> Actor:
    return Actor(user=personas.clinician, client_ip="127.0.0.1")


def test_confirm_marks_the_item_and_queues_the_import(
    personas, tmp_path, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from atlaschart.jobs.registry import Progress

    steps: list[tuple[str, int | None, int | None]] = []
    original = Progress.step

    def record(self: Progress, code: str, done: int | None = None, total: int | None = None):
        steps.append((code, done, total))
        original(self, code, done, total)

    monkeypatch.setattr(Progress, "step", record)
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker would run it; here nobody does yet
    item = _held(personas, tmp_path, count=3)
    job = services.confirm(_clinician(personas), item, personas.patient)
    item.refresh_from_db()
    assert job.state == JobState.QUEUED and job.kind == services.IMPORT_HELD_KIND
    assert item.state == InboxState.IMPORTING and item.patient == personas.patient
    assert not Instance.objects.exists()  # nothing imported inside the confirmation
    # Confirming again while it waits: the same job, no second one.
    again = services.confirm(_clinician(personas), item, personas.patient)
    assert again.pk == job.pk and Job.objects.filter(kind=job.kind).count() == 1

    with django_capture_on_commit_callbacks(execute=True):  # the held files go on commit
        assert run_job(job.pk) == JobState.DONE
    job.refresh_from_db()
    item.refresh_from_db()
    assert item.state == InboxState.IMPORTED and item.resolved_by == personas.clinician
    assert job.result["instances"] == 3 and job.step == "finished"
    assert ("reading", 3, 3) in steps and ("storing", 3, 3) in steps  # progress, slice by slice
    assert Instance.objects.filter(series__study__patient=personas.patient).count() == 3
    assert not any(media.exists(n) for n in services.held_names(item))
    # A second delivery of the task, and a confirmation afterwards, store nothing more.
    assert run_job(job.pk) == "skipped"
    with pytest.raises(services.ItemNotHeld):
        services.confirm(_clinician(personas), item, personas.patient)
    assert Instance.objects.count() == 3


def test_a_rerun_of_the_job_after_a_dead_worker_stores_one_study(personas, tmp_path) -> None:
    from atlaschart.dicom_inbox.jobs import import_held
    from atlaschart.jobs.registry import Progress

    item = _held(personas, tmp_path, count=2)
    job = services.confirm(_clinician(personas), item, personas.patient)  # eager: done
    assert job.state == JobState.DONE
    # The worker died after filing, before it marked the job done: the job runs again.
    again = import_held(job, Progress(job))
    assert again.notice == "nothing-new"
    assert personas.patient.imaging_studies.count() == 1 and Instance.objects.count() == 2


def test_a_refused_import_puts_the_item_back_and_says_why(personas, tmp_path, monkeypatch) -> None:
    from atlaschart.imaging_studies import importing

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise importer.ImportRefused("inconsistent-series", "00001.dcm")

    monkeypatch.setattr(importing, "import_files", refuse)
    item = _held(personas, tmp_path)
    job = services.confirm(_clinician(personas), item, personas.patient)
    item.refresh_from_db()
    assert job.state == JobState.FAILED and job.error_code == "inconsistent-series"
    assert item.state == InboxState.HELD and item.reason == HeldReason.IMPORT_REFUSED
    assert item.patient is None and all(media.exists(n) for n in services.held_names(item))
    assert not Instance.objects.exists()


def test_the_item_page_links_to_the_running_import_in_korean(personas, tmp_path, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    item = _held(personas, tmp_path)
    client = personas.login(personas.clinician, "ko")
    response = client.post(
        reverse("dicom_inbox:confirm", args=[item.pk]), {"patient": personas.patient.pk}
    )
    job = Job.objects.get(kind=services.IMPORT_HELD_KIND)
    assert response["Location"] == reverse("jobs:progress", args=[job.pk])
    page = client.get(reverse("dicom_inbox:item", args=[item.pk])).content.decode()
    assert "가져오는 중" in page and reverse("jobs:progress", args=[job.pk]) in page
    assert "이 환자의 영상이 맞습니다" not in page  # no second confirm button while it runs
    progress = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "영상 수신함" in progress  # the job's title, in Korean


def test_held_files_live_in_the_media_storage(personas, tmp_path) -> None:
    item = _held(personas, tmp_path, count=2)
    names = services.held_names(item)
    assert all(n.startswith(f"dicom-inbox/{personas.seoul.pk}/{item.key}/") for n in names)
    assert all(media.exists(n) for n in names)
    assert not list((tmp_path / "staging").glob("*.dcm"))  # the staged copies are gone


def test_on_object_storage_a_held_study_is_kept_in_the_bucket_and_imported_from_it(
    store: Store,  # noqa: F811
    personas: Any,
    tmp_path: Path,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = _held(personas, tmp_path, count=2)
    keys = store.object_keys()
    assert all(f"{store.prefix}{n}" in keys for n in services.held_names(item))
    assert not (Path(settings.MEDIA_ROOT) / "dicom-inbox" / str(personas.seoul.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.confirm(_clinician(personas), item, personas.patient)
    assert job.state == JobState.DONE and job.result["instances"] == 2
    assert not any(f"{store.prefix}{n}" in store.object_keys() for n in services.held_names(item))


def test_the_living_demo_holds_a_study_in_the_seoul_inbox_and_a_finished_export() -> None:
    from atlaschart.clinics.demo import load_demo
    from atlaschart.clinics.demo_imaging import HELD_NAME

    result = load_demo(only=("seoul-demo",))
    assert not [s for s in result.skipped if "imaging" in s or "export" in s], result.skipped
    item = InboxItem.objects.get(clinic__slug="seoul-demo")
    assert item.state == InboxState.HELD and item.reason == HeldReason.IDENTITY_DIFFERS
    assert item.patient_name_received == HELD_NAME and item.calling_ae == "XRAY-ROOM1"
    assert all(media.exists(n) for n in services.held_names(item))
    export = Job.objects.get(clinic__slug="seoul-demo", kind="imaging.export_deidentified")
    assert export.state == JobState.DONE
    # The radiograph story's sample went through the import of files on disk.
    assert Instance.objects.filter(series__study__patient__clinic__slug="seoul-demo").exists()
    load_demo(only=("seoul-demo",))  # a second run changes nothing
    assert InboxItem.objects.filter(clinic__slug="seoul-demo").count() == 1
