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
    # relatively higher, so the angle grows (issue 4 §3 sign rule).
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
