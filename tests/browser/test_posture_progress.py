"""A clinician uploads a posture photo and watches the background job: the progress page (its
bar and what it is doing, in Korean), then the shot page when the job is done; on a desktop and
a phone.

The job is held instead of sent (as if the worker were busy), so the page can be seen while it
waits and while it runs; the test then plays the worker: it claims the job, reports the
detection step, and runs it. The pose model is replaced by fixed points (SHOULDERS in
tests/builders/landmarks.py), so the metric shown is the one test_posture.py computes by hand:
atan(10/100) = +5.7°.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from atlaschart.jobs import services as jobs
from atlaschart.jobs.models import Job
from atlaschart.jobs.registry import Progress
from atlaschart.posture import services as posture
from atlaschart.posture.models import PostureSession, PostureShot
from tests.browser.conftest import screenshot
from tests.builders.landmarks import SHOULDERS
from tests.builders.photos import jpeg

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def test_upload_shows_progress_then_the_shot(
    live_server, chromium, personas, settings, tmp_path, monkeypatch
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    held: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", held.append)
    monkeypatch.setattr(
        posture, "detect", lambda photo, view: ([dict(p) for p in SHOULDERS], "", "fake@1")
    )
    personas.clinician.language = "ko"
    personas.clinician.save(update_fields=["language"])
    session = PostureSession.objects.create(
        patient=personas.patient, taken_on=date(2025, 3, 1), clinician=personas.clinician
    )
    photo = tmp_path / "front.jpg"
    photo.write_bytes(jpeg())

    desktop = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="ko-KR")
    page = desktop.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "clinician", personas.password)
    page.goto(f"{live_server.url}/posture/session/{session.pk}/")
    page.locator("select[name=view]").select_option("anterior")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.locator("form[enctype] button.primary").click()

    # The request returned at once: the job's page, waiting for the worker.
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    job = Job.objects.get()
    assert held == [job.pk] and job.state == "queued"
    expect(page.get_by_role("heading", name="자세 사진 분석")).to_be_visible()
    bar = page.locator("progress.job-bar")
    expect(bar).to_have_attribute("value", "0")
    expect(page.locator(".job-message")).to_have_text("시작을 기다리는 중입니다…")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "jobs-01-progress-waiting-desktop-ko")

    # The worker takes it and finds the landmarks: the page follows without a reload.
    assert jobs._claim(job.pk) == "claimed"
    Progress(job).step("detecting", done=1, total=3)
    expect(page.locator(".job-message")).to_have_text("신체 랜드마크를 찾는 중입니다")
    expect(bar).to_have_attribute("value", "33")
    screenshot(page, "jobs-02-progress-running-desktop-ko")

    phone_context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    sign_in(phone, live_server.url, "clinician", personas.password)
    phone.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(phone.locator(".job-message")).to_have_text("신체 랜드마크를 찾는 중입니다")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path="var/screenshots/jobs-03-progress-running-phone-ko.png", full_page=True)

    # The worker finishes (the claim is let go so this run may take it): both pages go to the shot.
    Job.objects.filter(pk=job.pk).update(state="queued")
    assert jobs.run_job(job.pk) == "done"
    shot = PostureShot.objects.get()
    page.wait_for_url(f"{live_server.url}/posture/shot/{shot.pk}/")
    expect(page.get_by_text("사진을 저장하고 랜드마크를 찾았습니다", exact=False)).to_be_visible()
    cell = page.locator('tr[data-metric="shoulder_tilt_deg"] .metric-value')
    expect(cell).to_have_text("+5.7°")
    screenshot(page, "jobs-04-result-desktop-ko")
    phone.wait_for_url(f"{live_server.url}/posture/shot/{shot.pk}/")
    phone.screenshot(path="var/screenshots/jobs-05-result-phone-ko.png", full_page=True)
    phone_context.close()
    desktop.close()


def test_a_refused_photo_says_why_on_the_progress_page(
    live_server, page, personas, settings, tmp_path, monkeypatch
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")

    def looks_anterior(photo, view):
        raise posture.ViewContradiction("anterior", ("face seen",))

    monkeypatch.setattr(posture, "detect", looks_anterior)
    session = PostureSession.objects.create(
        patient=personas.patient, taken_on=date(2025, 3, 1), clinician=personas.clinician
    )
    photo = tmp_path / "front.jpg"
    photo.write_bytes(jpeg())
    sign_in(page, live_server.url, "clinician", personas.password)
    page.goto(f"{live_server.url}/posture/session/{session.pk}/")
    page.get_by_label("View").select_option("posterior")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("This looks like a front view")
    expect(page.get_by_role("alert")).to_contain_text("“Anterior”")
    expect(page.locator("progress.job-bar")).to_be_hidden()
    screenshot(page, "jobs-06-refused-en")
    page.get_by_role("link", name="Back").click()
    page.wait_for_url(f"{live_server.url}/posture/session/{session.pk}/")
    assert PostureShot.objects.count() == 0
    screenshot(page, "jobs-07-refused-back-en")
