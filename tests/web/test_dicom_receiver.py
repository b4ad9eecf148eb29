"""The DICOM receiver, sent to by pynetdicom's SCU as a modality would.

A real Storage SCP (``dicom_inbox.receiver.Receiver``) runs in a thread on a free port; pydicom's
bundled sample files (CT_small.dcm, a DX made from a copy of it, test-SR.dcm) are sent to a
clinic's AE title and found in the right chart or in the clinic's imaging inbox.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pynetdicom import AE
from tests.builders.dicom import c_store, scanned_ct

from atlaschart.audit.models import AccessLogEntry
from atlaschart.dicom_inbox import receiver as receiver_module
from atlaschart.dicom_inbox import services
from atlaschart.dicom_inbox.models import HeldReason, InboxItem, InboxState
from atlaschart.imaging_studies.models import Instance
from atlaschart.jobs.models import Job
from atlaschart.lib import media

# The SCP's association threads have their own database connections: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"
logging.getLogger("pynetdicom").setLevel(logging.WARNING)


def _sample(name: str) -> Dataset:
    path = get_testdata_file(name, download=False)
    assert path, f"pydicom ships {name}"
    return dcmread(path)


def dx(patient_id: str = "000001", name: str = "Kim^Minjun") -> Any:
    """A radiograph: a copy of the CT sample declared Digital X-Ray (for presentation)."""
    ds = scanned_ct(patient_id, name)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = DX_FOR_PRESENTATION
    ds.Modality = "DX"
    return ds


@pytest.fixture
def scp(
    personas: Any, settings: Any, tmp_path: Path
) -> Iterator[tuple[receiver_module.Receiver, int]]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    rcv = receiver_module.Receiver()
    server = rcv.start("127.0.0.1", 0)
    try:
        yield rcv, server.server_address[1]
    finally:
        rcv.stop()


def settled(rcv: receiver_module.Receiver) -> None:
    assert rcv.wait_idle(30), "the receiver did not file the association in time"


@pytest.mark.django_db  # no server thread: the faster, rolled-back database
def test_clinics_are_called_by_their_slug_in_capitals(personas) -> None:
    from atlaschart.clinics.models import Clinic

    assert personas.seoul.ae_title == "SEOUL"
    long = Clinic.objects.create(name="Long", slug="a-very-long-clinic-slug")
    assert long.ae_title == "A-VERY-LONG-CLIN"  # 16 characters (PS3.5 6.2)


def test_c_echo_answers_success(scp) -> None:
    _rcv, port = scp
    ae = AE(ae_title="CBCT1")
    ae.add_requested_context("1.2.840.10008.1.1")
    assoc = ae.associate("127.0.0.1", port, ae_title="SEOUL")
    assert assoc.is_established
    assert int(assoc.send_c_echo().Status) == 0x0000
    assoc.release()


def test_an_unknown_called_ae_title_is_rejected(scp) -> None:
    _rcv, port = scp
    ae = AE(ae_title="CBCT1")
    ae.add_requested_context("1.2.840.10008.1.1")
    assoc = ae.associate("127.0.0.1", port, ae_title="NOT-A-CLINIC")
    assert assoc.is_rejected and not assoc.is_established
    rj = assoc.acceptor.primitive
    assert (rj.result, rj.result_source, rj.diagnostic) == (0x01, 0x01, 0x07)


def test_a_matching_study_is_filed_in_the_chart(scp, personas) -> None:
    rcv, port = scp
    studies_before = personas.patient.imaging_studies.count()
    assert c_store(port, "SEOUL", [scanned_ct(), dx()]) == [0x0000, 0x0000]
    settled(rcv)
    assert personas.patient.imaging_studies.count() == studies_before + 2
    modalities = set(
        Instance.objects.filter(series__study__patient=personas.patient).values_list(
            "series__modality", flat=True
        )
    )
    assert {"CT", "DX"} <= modalities
    assert not InboxItem.objects.exists()
    row = AccessLogEntry.objects.filter(patient=personas.patient, action="create").latest("seq")
    assert row.user == personas.admin and row.client_ip == "127.0.0.1"
    assert row.detail == "imported 1 image(s) via dicom-network"  # the upload's import, named
    # Nothing is left in the association's staging folder.
    staging = Path(rcv_media(personas)) / "dicom-inbox" / "staging"
    assert not any(staging.glob("*/*"))


def rcv_media(personas: Any) -> str:
    from django.conf import settings

    return settings.MEDIA_ROOT


def test_a_name_that_differs_is_held_in_the_inbox_not_filed(scp, personas) -> None:
    rcv, port = scp
    before = Instance.objects.count()
    assert c_store(port, "SEOUL", [scanned_ct("000001", "Lee^Jieun")]) == [0x0000]
    settled(rcv)
    assert Instance.objects.count() == before
    item = InboxItem.objects.get()
    assert item.clinic == personas.seoul and item.state == InboxState.HELD
    assert item.reason == HeldReason.IDENTITY_DIFFERS
    assert (item.patient_id_received, item.patient_name_received) == ("000001", "Lee^Jieun")
    assert item.calling_ae == "XRAY-ROOM1" and item.modality == "CT" and item.image_count == 1
    assert len(item.files[0]["sha256"]) == 64


def test_an_unknown_chart_number_is_held(scp, personas) -> None:
    rcv, port = scp
    assert c_store(port, "SEOUL", [dx("777777", "Kim^Minjun")]) == [0x0000]
    settled(rcv)
    assert InboxItem.objects.get().reason == HeldReason.NO_CHART


def test_a_study_goes_to_the_called_clinic_only(scp, personas) -> None:
    from atlaschart.accounts.models import Role, User

    User.objects.create(username="busan-admin", clinic=personas.busan, role=Role.CLINIC_ADMIN)
    rcv, port = scp
    # Busan's chart 000001 is 권나연 (Nayeon Kwon): Seoul's patient's name is a mismatch there.
    assert c_store(port, "BUSAN", [scanned_ct("000001", "Kim^Minjun")]) == [0x0000]
    settled(rcv)
    assert InboxItem.objects.get().clinic == personas.busan
    assert not personas.patient.imaging_studies.exists()
    assert c_store(port, "BUSAN", [scanned_ct("000001", "Kwon^Nayeon")]) == [0x0000]
    settled(rcv)
    assert personas.busan_patient.imaging_studies.count() == 1


def test_objects_that_are_not_images_get_a_failure_status_and_are_not_stored(scp, personas) -> None:
    rcv, port = scp
    report = _sample("test-SR.dcm")
    no_pixels = scanned_ct()
    del no_pixels.PixelData
    before = Instance.objects.count()
    statuses = c_store(port, "SEOUL", [report, no_pixels])
    settled(rcv)
    assert statuses == [
        receiver_module.REFUSED_SOP_CLASS_NOT_SUPPORTED,
        receiver_module.ERROR_DATASET_DOES_NOT_MATCH_SOP_CLASS,
    ]
    assert Instance.objects.count() == before and not InboxItem.objects.exists()
    refused = AccessLogEntry.objects.filter(action="denied", clinic=personas.seoul)
    assert sorted(refused.values_list("detail", flat=True)) == [
        "DICOM object refused: no-pixel-data",
        "DICOM object refused: sop-class-not-accepted",
    ]
    assert set(refused.values_list("client_ip", flat=True)) == {"127.0.0.1"}
    staging = Path(rcv_media(personas)) / "dicom-inbox"
    assert not [p for p in staging.rglob("*") if p.is_file()]


def test_a_second_send_of_the_same_files_does_not_duplicate(scp, personas) -> None:
    rcv, port = scp
    filed, held = scanned_ct(), scanned_ct("000001", "Park^Seojun")
    assert c_store(port, "SEOUL", [filed, held]) == [0x0000, 0x0000]
    settled(rcv)
    instances = Instance.objects.count()
    assert c_store(port, "SEOUL", [copy.deepcopy(filed), copy.deepcopy(held)]) == [0x0000, 0x0000]
    settled(rcv)
    assert Instance.objects.count() == instances
    assert InboxItem.objects.count() == 1


def test_confirming_from_the_inbox_imports_into_the_picked_chart(scp, personas) -> None:
    rcv, port = scp
    c_store(port, "SEOUL", [scanned_ct("000001", "Lee^Jieun")])
    settled(rcv)
    item = InboxItem.objects.get()
    client = personas.login(personas.clinician, "ko")
    page = client.get(reverse("dicom_inbox:inbox")).content.decode()
    assert "영상 수신함" in page and "Lee^Jieun" in page
    page = client.get(reverse("dicom_inbox:item", args=[item.pk])).content.decode()
    assert personas.patient.name in page  # the search on the file's ID found the chart
    page = client.get(
        reverse("dicom_inbox:item", args=[item.pk]), {"patient": personas.patient.pk}
    ).content.decode()
    assert "환자 확인" in page and "다름" in page
    response = client.post(
        reverse("dicom_inbox:confirm", args=[item.pk]), {"patient": personas.patient.pk}
    )
    # The import runs as a job (eagerly here): the answer is its progress page, which leads on
    # to the study once it is done.
    assert response.status_code == 302
    job = Job.objects.get(kind="dicom_inbox.import_held")
    assert response["Location"] == reverse("jobs:progress", args=[job.pk])
    assert job.state == "done" and job.result["instances"] == 1
    study_page = client.get(response["Location"])
    assert study_page.status_code == 302
    assert study_page["Location"] == reverse(
        "imaging_studies:study", args=[personas.patient.imaging_studies.get().pk]
    )
    item.refresh_from_db()
    assert item.state == InboxState.IMPORTED and item.patient == personas.patient
    assert item.resolved_by == personas.clinician
    study = personas.patient.imaging_studies.get()
    assert study.identity_confirmed and study.file_patient_name == "Lee^Jieun"
    assert not any(Path(rcv_media(personas), "dicom-inbox", str(personas.seoul.pk)).rglob("*.dcm"))
    # A second click imports nothing more.
    again = client.post(
        reverse("dicom_inbox:confirm", args=[item.pk]), {"patient": personas.patient.pk}
    )
    assert again.status_code == 302 and Instance.objects.count() == 1
    assert Job.objects.filter(kind="dicom_inbox.import_held").count() == 1


def test_discarding_removes_the_files_and_keeps_the_line(scp, personas) -> None:
    rcv, port = scp
    c_store(port, "SEOUL", [scanned_ct("123456", "Test^Phantom")])
    settled(rcv)
    item = InboxItem.objects.get()
    english = personas.login(personas.admin)
    page = english.get(reverse("dicom_inbox:item", args=[item.pk])).content.decode()
    assert "Received study" in page and "No chart has this patient ID." in page
    assert "Discard the study" in page and 'lang="en"' in page
    client = personas.login(personas.admin, "ko")
    response = client.post(reverse("dicom_inbox:discard", args=[item.pk]), {"discard": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == InboxState.DISCARDED and item.resolved_by == personas.admin
    assert not Instance.objects.exists()
    assert not any(Path(rcv_media(personas), "dicom-inbox").rglob("*.dcm"))


def test_another_clinics_inbox_item_is_a_404(scp, personas) -> None:
    rcv, port = scp
    c_store(port, "SEOUL", [scanned_ct("000001", "Lee^Jieun")])
    settled(rcv)
    item = InboxItem.objects.get()
    outsider = personas.login(personas.outsider)
    for name, method in (("item", "get"), ("confirm", "post"), ("discard", "post")):
        url = reverse(f"dicom_inbox:{name}", args=[item.pk])
        response = getattr(outsider, method)(
            url, {"patient": personas.busan_patient.pk, "discard": "1"}
        )
        assert response.status_code == 404, name
    assert "Lee^Jieun" not in outsider.get(reverse("dicom_inbox:inbox")).content.decode()
    item.refresh_from_db()
    assert item.state == InboxState.HELD
    assert not personas.busan_patient.imaging_studies.exists()


@pytest.mark.django_db  # no server thread: the faster, rolled-back database
def test_the_front_desk_has_no_inbox_and_no_link(personas) -> None:
    desk = personas.login(personas.desk)
    assert desk.get(reverse("dicom_inbox:inbox")).status_code == 403
    home = desk.get(reverse("home"), follow=True).content.decode()
    assert reverse("dicom_inbox:inbox") not in home
    clinician = personas.login(personas.clinician)
    assert (
        reverse("dicom_inbox:inbox") in clinician.get(reverse("home"), follow=True).content.decode()
    )


@pytest.mark.django_db  # no server thread: the faster, rolled-back database
def test_the_demo_prints_the_ae_titles_and_the_port(personas, monkeypatch, capsys) -> None:
    from atlaschart.clinics import demo
    from atlaschart.clinics.models import Clinic
    from atlaschart.commands import demo as demo_command

    Clinic.objects.create(name="Seoul demo", slug="seoul-demo")
    Clinic.objects.create(name="Busan demo", slug="busan-demo")
    monkeypatch.setattr(demo, "load_demo", lambda: demo.DemoResult(created=False, credentials=[]))
    demo_command.run(None)  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert "AE title SEOUL-DEMO" in out and "AE title BUSAN-DEMO" in out and "11112" in out


@pytest.mark.django_db  # no server thread: the faster, rolled-back database
def test_the_receivers_access_log_rows_read_in_korean() -> None:
    from django.utils import translation

    from atlaschart.audit.describe import describe
    from atlaschart.audit.models import AccessLogEntry as Entry
    from atlaschart.dicom_inbox.words import REFUSAL_WORDS
    from atlaschart.imaging.dicom import errors

    codes = {"sop-class-not-accepted", "sop-class-mismatch", "missing-uid", "write-failed"}
    codes |= {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.DicomError) and "zip" not in cls.code
    }
    codes -= {"dicom-error", "inconsistent-series"}  # the base class; a set-level refusal
    assert codes <= REFUSAL_WORDS.keys()
    with translation.override("ko"):
        refused = describe(Entry(detail="DICOM object refused: no-pixel-data", action="denied"))
        held = describe(
            Entry(
                detail="DICOM study held in the imaging inbox: identity_differs",
                object_type="dicom_inbox.inboxitem",
                action="create",
            )
        )
        for text in ("imaging inbox", "imaging inbox: discarded", "imaging inbox item"):
            assert not describe(Entry(detail=text)).detail.recorded, text
    assert str(refused.detail) == "DICOM 객체 거부: 픽셀 데이터 없음(영상이 아님)"
    assert str(held.detail) == "DICOM 검사를 영상 수신함에 보류: 이 ID의 차트와 이름이 다릅니다."
    assert held.what == "영상 수신함 항목"


def test_a_clinic_without_an_admin_to_act_cannot_receive(scp) -> None:
    _rcv, port = scp
    ae = AE(ae_title="CBCT1")
    ae.add_requested_context("1.2.840.10008.1.1")
    assoc = ae.associate("127.0.0.1", port, ae_title="BUSAN")  # Busan has no clinic admin
    assert assoc.is_rejected
    rj = assoc.acceptor.primitive
    assert (rj.result, rj.result_source, rj.diagnostic) == (0x02, 0x01, 0x01)  # transient


def test_objects_acknowledged_before_an_abort_are_still_filed(scp, personas) -> None:
    rcv, port = scp
    ds = scanned_ct()
    ae = AE(ae_title="XRAY-ROOM1")
    ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
    assoc = ae.associate("127.0.0.1", port, ae_title="SEOUL")
    assert int(assoc.send_c_store(ds).Status) == 0x0000
    assoc.abort()
    settled(rcv)
    assert personas.patient.imaging_studies.count() == 1


def test_a_set_the_import_refuses_is_held_whole_and_nothing_is_stored(
    scp, personas, monkeypatch
) -> None:
    from atlaschart.dicom_inbox import importer

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise importer.ImportRefused("inconsistent-series", "refused")

    monkeypatch.setattr(importer, "import_files", refuse)
    rcv, port = scp
    assert c_store(port, "SEOUL", [scanned_ct(), dx()]) == [0x0000, 0x0000]
    settled(rcv)
    assert not Instance.objects.exists()
    items = InboxItem.objects.all()
    assert {i.reason for i in items} == {HeldReason.IMPORT_REFUSED} and len(items) == 2
    assert all(media.exists(n) for i in items for n in services.held_names(i))
