"""Radiograph analysis in a real browser: import a radiograph, place the nasium landmarks by
clicking, read the atlas laterality the core computed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from atlaschart.imaging_studies.models import UCAnalysis
from tests.browser.conftest import screenshot
from tests.builders.radiograph import NASIUM, SIZE, nasium_radiograph


def test_clinician_imports_places_nasium_landmarks_and_reads_laterality(
    live_server, page, personas, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    dicom_file = tmp_path / "nasium.dcm"
    nasium_radiograph(dicom_file)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("link", name="Import images").click()
    page.locator("input[type=file]").set_input_files(str(dicom_file))
    page.get_by_role("button", name="Import", exact=True).click()
    # The import job runs (eagerly here) and leads to the study.
    expect(page.get_by_text("The images were imported.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"#1 · 320×320")).click()
    expect(page.get_by_role("heading", name=re.compile("Image viewer"))).to_be_visible()
    page.wait_for_function("document.querySelector('canvas').dataset.scale")
    screenshot(page, "imaging-viewer")

    page.locator("#id_view").select_option("nasium")
    page.get_by_role("button", name="Place landmarks").click()
    expect(page.get_by_text("Entered by the clinician")).to_be_visible()
    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('canvas').dataset.scale")
    width = canvas.evaluate("c => c.width")
    height = canvas.evaluate("c => c.height")
    box = canvas.bounding_box()
    # Fit to the canvas, centred, one canvas pixel per CSS pixel: pixel centre x -> (x + 0.5) of the
    # drawn image, scaled by s.
    s = min(width / SIZE, height / SIZE)
    for name, (x, y) in NASIUM.items():
        page.locator(f"[data-point='{name}']").click()
        # The guide of the chosen point is the one shown (name in words, our own schematic).
        key = re.sub(r"\.\d+\.", ".", name)
        expect(page.locator(f"[data-guide='{key}']")).to_be_visible()
        sx = box["x"] + width / 2 + (x + 0.5 - SIZE / 2) * s
        sy = box["y"] + height / 2 + (y + 0.5 - SIZE / 2) * s
        page.mouse.click(sx, sy)
    page.get_by_label("Listing").fill("ASRP")
    page.get_by_role("button", name="Save and compute").click()
    row = page.locator("[data-value='atlas_laterality_deg']")
    # 10.12° left ± 0.50° (1 SD; hand-computed in tests/web/test_imaging_clinic_ready.py).
    expect(row).to_contain_text("10.12° ± 0.50°")
    expect(row).to_contain_text("left")
    expect(page.locator("[data-algorithm]")).to_have_text("uc.generic-orthogonal.nasium@1")
    screenshot(page, "imaging-nasium-analysis")

    stored = UCAnalysis.objects.get().points["points"]
    assert stored["apl_left"] == [212.0, 180.0] or abs(stored["apl_left"][0] - 212) < 0.3

    # Display changes do not move landmarks: flip and rotate, then save again -> same value.
    page.get_by_role("button", name="Flip ↔").click()
    page.get_by_role("button", name="Rotate 90°").click()
    page.get_by_role("button", name="Save and compute").click()
    expect(page.get_by_text("Saved. Values recomputed.")).to_be_visible()
    expect(row).to_contain_text("10.12° ± 0.50°")
    screenshot(page, "imaging-nasium-flipped")


def _korean_page(chromium, live_server, personas, user, width: int, height: int):
    c = personas.login(user)
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": c.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            },
            {"name": "atlaschart_language", "value": "ko", "domain": host, "path": "/"},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_korean_imaging_pages_on_desktop_and_phone(
    live_server, chromium, personas, settings, tmp_path
) -> None:
    """The editor with its guide, one analysis with value ± error, the compare page: in Korean,
    at desktop and phone width (screenshots under var/screenshots, looked at by hand)."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from atlaschart.imaging_studies.models import Instance

    settings.MEDIA_ROOT = str(tmp_path / "media")
    dicom_file = tmp_path / "nasium.dcm"
    nasium_radiograph(dicom_file)
    c = personas.login(personas.clinician)
    c.post(
        reverse("imaging_studies:import", args=[personas.patient.pk]),
        {"files": [SimpleUploadedFile("n.dcm", dicom_file.read_bytes())]},
    )
    inst = Instance.objects.get()
    save = reverse("imaging_studies:analysis_save", args=[inst.pk])
    flat = {k: list(v) for k, v in NASIUM.items()}
    ids = []
    for left in ([212, 180], [212, 196]):
        r = c.post(
            save,
            json.dumps({"view": "nasium", "points": dict(flat, apl_left=left)}),
            content_type="application/json",
        )
        ids.append(r.json()["analysis_id"])
    for label, (w, h) in {"desktop": (1280, 900), "phone": (390, 844)}.items():
        context, page = _korean_page(chromium, live_server, personas, personas.clinician, w, h)
        page.goto(f"{live_server.url}/imaging/analyses/{ids[0]}/")
        page.wait_for_function("document.querySelector('canvas').dataset.scale")
        row = page.locator("[data-value='atlas_laterality_deg']")
        expect(row).to_contain_text("환추 측방 변위")
        expect(row).to_contain_text("10.12° ± 0.50°")
        page.locator("[data-point='apl_left']").click()
        expect(page.locator("[data-guide='apl_left']")).to_be_visible()
        expect(page.locator("[data-guide='apl_left']")).to_contain_text("환추 평면선")
        screenshot(page, f"imaging-ko-analysis-{label}")
        page.get_by_role("button", name="모든 점의 안내 보기").click()
        screenshot(page, f"imaging-ko-guides-{label}")
        if label == "desktop":  # the schematics of the other two views
            for view in ("vertex", "lateral"):
                page.goto(f"{live_server.url}/imaging/images/{inst.pk}/analysis/?view={view}")
                page.get_by_role("button", name="모든 점의 안내 보기").click()
                expect(page.locator("[data-guide]").first).to_be_visible()
                screenshot(page, f"imaging-ko-guides-{view}")
        page.goto(f"{live_server.url}/imaging/images/{inst.pk}/")
        page.wait_for_function("document.querySelector('canvas').dataset.scale")
        screenshot(page, f"imaging-ko-viewer-{label}")
        page.goto(
            f"{live_server.url}/imaging/patients/{personas.patient.pk}/compare/"
            f"?pre={ids[0]}&post={ids[1]}"
        )
        figures = page.locator("[data-compare-figure] img")
        expect(figures).to_have_count(2)
        first, second = figures.nth(0).bounding_box(), figures.nth(1).bounding_box()
        if label == "desktop":  # side by side, each at least 400 px wide
            assert first["width"] >= 400 and abs(first["y"] - second["y"]) < 2
        else:  # stacked, each about the phone's width
            assert first["width"] >= 300 and second["y"] > first["y"] + first["height"] - 1
        expect(page.locator("[data-change='atlas_laterality_deg']")).to_contain_text("−8.07°")
        # Nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= w + 1
        screenshot(page, f"imaging-ko-compare-{label}")
        context.close()
