"""A clinician photographs a patient's posture, corrects a landmark by dragging it, saves, and
sees the metric recomputed by the server."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_upload_drag_save_recomputes(live_server, page, personas, settings, tmp_path) -> None:
    pytest.importorskip("mediapipe", reason="the pose model finds the points to drag")
    from skimage import data

    settings.MEDIA_ROOT = str(tmp_path / "media")
    photo = tmp_path / "astronaut.jpg"  # made at test time, never committed
    Image.fromarray(data.astronaut()).save(photo, "JPEG", quality=92)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()

    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("link", name="Start a posture session").click()
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_role("heading", name=re.compile("Posture session"))).to_be_visible()
    file_input = page.locator("input[type=file]")
    assert file_input.get_attribute("capture") == "environment"
    assert file_input.get_attribute("accept") == "image/*"
    page.get_by_label("View").select_option("anterior")
    file_input.set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()

    expect(page.get_by_text("The photo was saved and the landmarks were found.")).to_be_visible()
    cell = page.locator('tr[data-metric="shoulder_tilt_deg"] .metric-value')
    before = cell.inner_text()
    assert re.fullmatch(r"[+-]\d+\.\d°", before), before
    label = page.locator('text.posture-label[data-metric="shoulder_tilt_deg"]')
    expect(label).to_have_text(before)
    screenshot(page, "posture-uploaded")

    point = page.locator('circle[data-name="right_shoulder"]')
    box = point.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 30, steps=6)
    page.mouse.move(x, y + 60, steps=6)
    page.mouse.up()
    expect(point).to_have_class(re.compile("source-clinician"))
    expect(label).to_have_text("unsaved")
    screenshot(page, "posture-dragged")

    page.get_by_role("button", name="Save landmarks").click()
    expect(cell).not_to_have_text(before)
    after = cell.inner_text()
    # The image's left point (the patient's right shoulder) went down: the patient's left is now
    # relatively higher, so the angle grows (docs/posture.md sign rule).
    assert float(after.rstrip("°")) > float(before.rstrip("°")) + 2, (before, after)
    expect(page.locator('circle[data-name="right_shoulder"]')).to_have_class(
        re.compile("source-clinician")
    )
    expect(page.get_by_text("r2", exact=True)).to_be_attached()
    screenshot(page, "posture-saved")

    # A second session with the same, uncorrected photo; the edited first one differs by > 10°,
    # beyond the 5.5° default MDC95 (measure/posture/change.py).
    page.goto(f"{live_server.url}/posture/patient/{personas.patient.pk}/")
    page.get_by_role("button", name="Start session").click()
    page.get_by_label("View").select_option("anterior")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    expect(cell).to_have_text(before)
    page.goto(f"{live_server.url}/posture/patient/{personas.patient.pk}/compare/")
    row = page.locator('tr[data-metric="shoulder_tilt_deg"]')
    expect(row).to_have_class(re.compile("verdict-beyond_error"))
    expect(row.get_by_text("Beyond measurement error")).to_be_visible()
    expect(page.get_by_text("improved")).to_have_count(0)
    screenshot(page, "posture-compare")


def test_full_body_photo_in_korean(live_server, page, personas, settings, tmp_path) -> None:
    # A Korean-speaking clinician uploads a full-length frontal photo (one of the two men of the
    # ultralytics wheel's bus.jpg, made into a 1000x1500 portrait at test time): hips and knees
    # are measured, and every label and note on the page is Korean.
    pytest.importorskip("mediapipe", reason="the pose model finds the points")
    from atlaschart.imaging import sample_photos

    try:
        rgb = sample_photos.pad_to_portrait(sample_photos.bus_dark_coat())
    except sample_photos.SamplePhotoMissing as exc:
        pytest.skip(str(exc))
    settings.MEDIA_ROOT = str(tmp_path / "media")
    photo = tmp_path / "standing.jpg"
    Image.fromarray(rgb).save(photo, "JPEG", quality=92)
    personas.clinician.language = "ko"
    personas.clinician.save(update_fields=["language"])

    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill("clinician")
    page.locator("input[name=password]").fill(personas.password)
    page.locator("form button.primary").last.click()
    page.goto(f"{live_server.url}/posture/patient/{personas.patient.pk}/")
    page.get_by_role("button", name="세션 시작").click()
    page.locator("select[name=view]").select_option("anterior")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.locator("form[enctype='multipart/form-data'] button.primary").click()

    for metric in ("shoulder_tilt_deg", "hip_tilt_deg", "knee_tilt_deg"):
        cell = page.locator(f'tr[data-metric="{metric}"] .metric-value')
        expect(cell).to_have_text(re.compile(r"^[+-]\d+\.\d°$"))
    table = page.locator("table").filter(has=page.locator('tr[data-metric="hip_tilt_deg"]'))
    text = table.inner_text()
    assert "골반" in text or "엉덩이" in text, text  # the hip row's Korean label
    for english in ("was not found", "visibility", "calibration", "Hip tilt"):
        assert english not in text, english
    expect(page.locator("#posture-detector")).to_contain_text(
        "모델 랜드마크: mediapipe-pose-full@0.10.21+tta-rot0-10step2-mirror-mean@2"
    )
    screenshot(page, "posture-full-body-ko")


def _sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button.primary").last.click()


def test_on_a_phone_in_korean_a_calibration_too_long_is_refused_and_front_desk_sees_no_photos(
    live_server, chromium, personas, settings, tmp_path
) -> None:
    """Roles and hostile input on a phone (390 px wide), in Korean: a calibration distance of 1e308
    mm is refused with the limit named, nothing stored; front desk's chart has no posture or imaging
    section (photos are clinical content) and the photo's own URL answers 403."""
    import io

    from django.core.files.base import ContentFile

    from atlaschart.posture.models import LandmarkRevision, PostureSession, PostureShot

    settings.MEDIA_ROOT = str(tmp_path / "media")
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), (180, 180, 180)).save(buf, "JPEG")
    session = PostureSession.objects.create(
        patient=personas.patient, taken_on="2025-03-01", clinician=personas.clinician
    )
    shot = PostureShot(
        session=session,
        view="anterior",
        image_format="JPEG",
        width=300,
        height=400,
        sha256="0" * 64,
        created_by=personas.clinician,
    )
    shot.image.save("p.jpg", ContentFile(buf.getvalue()), save=False)
    shot.save()
    LandmarkRevision.objects.create(shot=shot, number=1, source="model", landmarks=[])
    for user in (personas.clinician, personas.desk):
        user.language = "ko"
        user.save(update_fields=["language"])

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = phone.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in(page, live_server, "clinician", personas.password)
        page.goto(f"{live_server.url}/posture/shot/{shot.pk}/")
        page.locator("details.card summary").first.click()
        form = page.locator(f"form[action='/posture/shot/{shot.pk}/calibration']")
        for name, value in (("x1", "10"), ("y1", "10"), ("x2", "200"), ("y2", "10")):
            form.locator(f"input[name={name}]").fill(value)
        form.locator("input[name=distance_mm]").evaluate("e => e.removeAttribute('max')")
        form.locator("input[name=distance_mm]").fill("1e308")
        form.locator("button[type=submit], button:not([type])").first.click()
        expect(page.locator("ul.messages")).to_contain_text("5000")
        text = page.locator("main").inner_text()
        assert "mm 이하여야 합니다" in text, text
        shot.refresh_from_db()
        assert shot.cal_distance_mm is None
        screenshot(page, "posture-calibration-limit-ko-phone")

        page.context.clear_cookies()
        _sign_in(page, live_server, "desk", personas.password)
        page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
        chart = page.locator("main").inner_text()
        assert "자세" not in chart and "영상" not in chart, chart
        assert page.locator("a[href*='/posture/'], a[href*='/imaging/']").count() == 0
        screenshot(page, "chart-front-desk-ko-phone")
        response = page.request.get(f"{live_server.url}/posture/shot/{shot.pk}/image")
        assert response.status == 403
    finally:
        phone.close()


def test_capture_guide_grid_and_level_on_a_360px_phone_in_korean(
    live_server, chromium, personas, settings, tmp_path
) -> None:
    """Capture guidance at phone width (360 px), in Korean: the set-up guidance is readable without
    sideways scrolling, a chosen photo shows under a grid before upload, and the level button
    says what it can (a headless browser has no motion sensor: the no-sensor note)."""
    from atlaschart.posture.models import PostureSession

    settings.MEDIA_ROOT = str(tmp_path / "media")
    photo = tmp_path / "wall.jpg"
    Image.new("RGB", (300, 450), (190, 190, 190)).save(photo, "JPEG")
    session = PostureSession.objects.create(
        patient=personas.patient, taken_on="2025-03-01", clinician=personas.clinician
    )
    personas.clinician.language = "ko"
    personas.clinician.save(update_fields=["language"])
    phone = chromium.new_context(viewport={"width": 360, "height": 780}, locale="ko-KR")
    page = phone.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in(page, live_server, "clinician", personas.password)
        page.goto(f"{live_server.url}/posture/session/{session.pk}/")
        guide = page.locator("#posture-capture-guide")
        expect(guide).to_contain_text("추선")
        expect(guide).to_contain_text("카메라 높이")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
        expect(page.locator("#posture-preview")).to_be_hidden()
        page.locator("input[type=file]").set_input_files(str(photo))
        expect(page.locator("#posture-preview")).to_be_visible()
        expect(page.locator("#posture-preview .posture-grid")).to_be_visible()
        page.get_by_role("button", name="카메라 수평 확인(휴대폰 센서)").click()
        expect(page.locator("#posture-level-status")).to_contain_text("격자와 추선")
        screenshot(page, "posture-capture-guide-ko-phone")
    finally:
        phone.close()
