"""The imaging inbox in Korean, desktop and phone width: a study a machine sent under another name
waits there, a clinician picks the chart and imports it (screenshots looked at)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from atlaschart.dicom_inbox.receiver import Receiver
from tests.browser.conftest import screenshot
from tests.builders.dicom import c_store, scanned_ct


def test_a_clinician_confirms_a_held_study_in_korean(
    live_server, page, personas, settings: Any, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    receiver = Receiver()
    server = receiver.start("127.0.0.1", 0)
    try:
        c_store(server.server_address[1], "SEOUL", [scanned_ct("000001", "Lee^Jieun")])
        c_store(server.server_address[1], "SEOUL", [scanned_ct("009999", "Choi^Yuna")])
        assert receiver.wait_idle(30)
    finally:
        receiver.stop()

    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("link", name="영상 수신함").first.click()
    expect(page.get_by_role("heading", name="영상 수신함")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Lee^Jieun")).to_contain_text(
        "이 ID의 차트와 이름이 다릅니다."
    )
    expect(page.get_by_role("row").filter(has_text="Choi^Yuna")).to_contain_text(
        "이 환자 ID의 차트가 없습니다."
    )
    screenshot(page, "dicom-inbox-ko-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "dicom-inbox-ko-phone")

    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("link", name="Lee^Jieun").click()
    row = page.get_by_role("row").filter(has_text=personas.patient.name)
    row.get_by_role("link", name="선택").click()
    expect(page.get_by_text("파일의 환자 정보가")).to_be_visible()
    expect(page.locator(".tag").first).to_have_text("다름")
    screenshot(page, "dicom-inbox-confirm-ko-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "dicom-inbox-confirm-ko-phone")
    page.get_by_role("button", name="이 환자의 영상이 맞습니다: 가져오기").click()
    # The import runs as a background job (at once here); its page leads on to the study.
    expect(page.get_by_text("영상을 가져왔습니다.")).to_be_visible()
    assert personas.patient.imaging_studies.get().identity_confirmed

    # With a worker that has not started it yet: the item says it is being imported and links
    # to the job's progress; the job's page says it waits.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(live_server.url + "/imaging-inbox/")
    page.get_by_role("link", name="Choi^Yuna").click()
    page.get_by_label("검색").fill(personas.patient.name)
    page.get_by_role("button", name="검색").click()
    page.get_by_role("row").filter(has_text=personas.patient.name).get_by_role(
        "link", name="선택"
    ).click()
    page.get_by_role("button", name="이 환자의 영상이 맞습니다: 가져오기").click()
    expect(page.get_by_role("heading", name="영상 수신함의 검사를 가져오는 중")).to_be_visible()
    screenshot(page, "dicom-inbox-job-ko-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "dicom-inbox-job-ko-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    from atlaschart.dicom_inbox.models import InboxItem

    held = InboxItem.objects.get(patient_name_received="Choi^Yuna")
    page.goto(live_server.url + f"/imaging-inbox/{held.pk}/")
    expect(page.get_by_text("가져오는 중입니다.")).to_be_visible()
    expect(page.get_by_role("link", name="가져오기 진행 상황 보기")).to_be_visible()
    expect(page.get_by_role("button", name="이 환자의 영상이 맞습니다: 가져오기")).to_have_count(0)
    screenshot(page, "dicom-inbox-importing-ko-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "dicom-inbox-importing-ko-phone")
