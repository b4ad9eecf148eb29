"""A clinic admin uploads a listing rule table; the analysis page proposes its listing, with the
table version, and the clinician can still enter their own."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from atlaschart.imaging_studies.models import ListingTable, UCAnalysis
from tests.browser.conftest import screenshot
from tests.builders.radiograph import NASIUM, SIZE, nasium_radiograph

# NASIUM gives atlas laterality atan2(10, 56) = 10.1247 deg, side left, and no head tilt
# (tests/builders/radiograph.py). Rule 0 needs side right, rule 1 at most 5 deg: rule 2
# matches.
TABLE = {
    "id": "seoul-listing",
    "version": "1",
    "view": "nasium",
    "rules": [
        {"when": {"atlas_laterality_deg": {"side": "right", "min": 0.25}}, "listing": "R-TEST"},
        {
            "when": {"atlas_laterality_deg": {"side": "left", "min": 0.25, "max": 5}},
            "listing": "L-SMALL",
        },
        {
            "when": {
                "atlas_laterality_deg": {"side": "left", "min": 5, "max": 90},
                "head_tilt_deg": {"max": 1},
            },
            "listing": "L-TEST",
            "vector": {"laterality_deg": 10},
        },
    ],
}


def test_admin_uploads_a_table_and_the_analysis_proposes_its_listing(
    live_server, page, personas, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    table_file, bad_file, dicom_file = (
        tmp_path / "table.json",
        tmp_path / "bad.json",
        tmp_path / "n.dcm",
    )
    table_file.write_text(json.dumps(TABLE, indent=1))
    bad = dict(TABLE, version="2", rules=[{"when": {"head_tilt_deg": {"min": 3, "max": 1}}}])
    bad_file.write_text(json.dumps(bad))
    nasium_radiograph(dicom_file)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("link", name="Listing rule tables").click()
    expect(page.get_by_role("heading", name="Listing rule tables", exact=True)).to_be_visible()

    # A bad file: the reason is shown and nothing is stored.
    page.locator("input[type=file]").set_input_files(str(bad_file))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("min is greater than max")).to_be_visible()
    assert ListingTable.objects.count() == 0

    page.locator("input[type=file]").set_input_files(str(table_file))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("seoul-listing@1 was stored and is now active")).to_be_visible()
    expect(page.locator("tr[data-view=nasium]")).to_contain_text("seoul-listing@1")
    expect(page.get_by_text("5° ≤ Atlas laterality ≤ 90°, side left").first).to_be_visible()
    screenshot(page, "listing-tables")

    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("link", name="Import images").click()
    page.locator("input[type=file]").set_input_files(str(dicom_file))
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("link", name=re.compile(r"#1 · 320×320")).click()  # on the study page
    page.locator("#id_view").select_option("nasium")
    page.get_by_role("button", name="Place landmarks").click()
    expect(page.get_by_text("rule table seoul-listing@1 proposes the listing")).to_be_visible()
    expect(page.get_by_label("Use the table's proposal")).to_be_checked()

    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('canvas').dataset.scale")
    width, height = canvas.evaluate("c => c.width"), canvas.evaluate("c => c.height")
    box = canvas.bounding_box()
    s = min(width / SIZE, height / SIZE)
    for name, (x, y) in NASIUM.items():
        page.locator(f"[data-point='{name}']").click()
        page.mouse.click(
            box["x"] + width / 2 + (x + 0.5 - SIZE / 2) * s,
            box["y"] + height / 2 + (y + 0.5 - SIZE / 2) * s,
        )
    page.get_by_role("button", name="Save and compute").click()
    expect(page.locator("[data-value='atlas_laterality_deg']")).to_contain_text("10.12° ± 0.50°")
    proposal = page.locator("[data-proposal]")
    expect(proposal).to_contain_text("L-TEST")
    expect(proposal).to_contain_text("seoul-listing@1, rule 2")
    expect(page.get_by_label("Listing", exact=True)).to_have_value("L-TEST")
    expect(page.locator("[data-listing-provenance]")).to_contain_text(
        "from the table seoul-listing@1, rule 2"
    )
    screenshot(page, "listing-proposed")
    assert UCAnalysis.objects.get().listing_table.label == "seoul-listing@1"

    # Typing one's own listing switches the choice; saving stores it as the clinician's.
    page.get_by_label("Listing", exact=True).fill("MINE")
    expect(page.get_by_label("Enter my own")).to_be_checked()
    page.get_by_role("button", name="Save and compute").click()
    expect(page.locator("[data-listing-provenance]")).to_have_text(
        "Saved listing: entered by the clinician."
    )
    expect(proposal).to_contain_text("L-TEST")  # still shown next to it
    a = UCAnalysis.objects.get()
    assert (a.listing, a.listing_source, a.listing_table) == ("MINE", "clinician", None)
