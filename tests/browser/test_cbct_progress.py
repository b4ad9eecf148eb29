"""A CBCT zip in a real browser, in Korean: the file goes up in chunks with a progress bar (one
chunk's connection is cut and the upload goes on from the last stored byte), the import job's
page shows how far it is ("슬라이스를 읽고 확인하는 중 (10 of 20)"), then the study opens with
its volume. Screenshots on a desktop (1280) and a phone (390)."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from atlaschart.imaging_studies import uploads
from atlaschart.imaging_studies.models import Series
from atlaschart.jobs import registry, services
from atlaschart.jobs.models import Job
from tests.browser.conftest import screenshot
from tests.builders.dicom import ct_slices, zipped

SLICES = 20


def _sign_in_korean(page, live_server, personas) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")


@pytest.mark.parametrize(
    ("device", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)]
)
def test_a_cbct_zip_goes_up_in_chunks_shows_progress_then_the_study(
    live_server, page, personas, settings, tmp_path, monkeypatch, device, width, height
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(uploads, "CHUNK_BYTES", 64 * 1024)  # several chunks for a small zip
    # The job waits for the test to run it (as on a busy worker), so its page is seen first.
    monkeypatch.setattr(services, "dispatch", lambda job_id: None)
    archive = tmp_path / "cbct.zip"
    archive.write_bytes(zipped(ct_slices(SLICES)))
    page.set_viewport_size({"width": width, "height": height})
    _sign_in_korean(page, live_server, personas)
    page.goto(f"{live_server.url}/imaging/patients/{personas.patient.pk}/import/")
    expect(page.get_by_role("heading", name="영상 가져오기")).to_be_visible()

    # Slow the chunks down a little so the bar can be seen, and cut the third one's connection.
    sent = {"n": 0}
    gate = threading.Event()

    def chunks(route) -> None:
        if route.request.method != "PATCH":
            route.continue_()
            return
        sent["n"] += 1
        if sent["n"] == 3:
            route.abort("connectionreset")
            return
        if sent["n"] == 5:
            gate.wait(5)  # hold one chunk until the screenshot is taken
        route.continue_()

    page.route("**/uploads/**", chunks)
    page.locator("input[type=file]").set_input_files(str(archive))
    page.get_by_role("button", name="가져오기", exact=True).click()
    page.wait_for_function("document.querySelector('.upload-bar').value > 0")
    expect(page.locator(".upload-status")).to_be_visible()
    screenshot(page, f"cbct-upload-ko-{device}")
    gate.set()

    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get(kind="imaging.import")
    assert sent["n"] > 4  # several chunks, one of them cut and sent again
    expect(page.locator(".job-message")).to_contain_text("시작")

    # Run the job here; when it has read 10 slices, look at its page.
    step = registry.Progress.step

    def watched(self, code, done=None, total=None):
        step(self, code, done, total)
        if code == "reading" and done == SLICES // 2:
            expect(page.locator(".job-message")).to_have_text(
                f"슬라이스 {total}장 중 {done}장째를 읽고 확인하는 중", timeout=5000
            )
            screenshot(page, f"cbct-progress-ko-{device}")

    monkeypatch.setattr(registry.Progress, "step", watched)
    assert services.run_job(job.pk) == "done"
    page.wait_for_url("**/imaging/studies/*/")
    expect(page.get_by_text("영상을 가져왔습니다.")).to_be_visible()
    series = Series.objects.get()
    assert series.is_volume and series.instances.count() == SLICES
    uploaded = (tmp_path / "media" / "imaging" / "blobs").rglob("*")
    assert len([p for p in uploaded if p.is_file()]) == SLICES
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page scrolls sideways ({overflow}px)"
    expect(page.get_by_role("link", name="축상·관상·시상 단면 열기")).to_be_visible()
    screenshot(page, f"cbct-study-ko-{device}")


@pytest.mark.parametrize(
    ("device", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)]
)
def test_another_patients_cbct_waits_for_confirmation_and_exports_de_identified(
    live_server, page, personas, settings, tmp_path, device, width, height
) -> None:
    """Jobs run at once here (no worker): the confirmation page, then the study, then the
    de-identified export's page, in Korean."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = tmp_path / "other.zip"
    archive.write_bytes(zipped(ct_slices(4, name="Lee^Seoyeon", pid="778899")))
    page.set_viewport_size({"width": width, "height": height})
    _sign_in_korean(page, live_server, personas)
    page.goto(f"{live_server.url}/imaging/patients/{personas.patient.pk}/import/")
    page.locator("input[type=file]").set_input_files(str(archive))
    page.get_by_role("button", name="가져오기", exact=True).click()
    expect(page.get_by_role("heading", name="환자 확인")).to_be_visible()
    expect(page.get_by_text("Lee^Seoyeon")).to_be_visible()
    assert not Series.objects.exists()  # nothing stored before the clinician confirms
    screenshot(page, f"cbct-confirm-ko-{device}")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the confirmation page scrolls sideways ({overflow}px)"
    page.get_by_role("button", name="이 환자의 영상이 맞습니다: 가져오기").click()
    expect(page.get_by_text("영상을 가져왔습니다.")).to_be_visible()
    page.get_by_role("button", name="비식별 DICOM 내보내기 (.zip)").click()
    if page.get_by_label("비밀번호").count():  # the export asks for the password again
        page.get_by_label("비밀번호").fill(personas.password)
        page.get_by_role("button", name="확인").click()
    expect(page.get_by_role("link", name=".zip 내려받기")).to_be_visible()
    screenshot(page, f"cbct-export-ko-{device}")
    with page.expect_download() as download:
        page.get_by_role("link", name=".zip 내려받기").click()
    assert download.value.suggested_filename.endswith("-deidentified.zip")
