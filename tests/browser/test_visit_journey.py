"""A whole visit as a new clinician does it: today's list -> open the appointment -> pre-check leg
length -> record and sign an adjustment -> post-check -> sign the note -> amend it and see both."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from atlaschart.visits.models import Appointment
from tests.browser.conftest import screenshot
from tests.web.test_visits import screen_record


def test_a_clinicians_whole_visit(live_server, page, personas) -> None:
    now = timezone.localtime()
    start = datetime(now.year, now.month, now.day, 9, 0, tzinfo=timezone.get_current_timezone())
    Appointment.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        clinician=personas.clinician,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    # The pre-treatment screen, every item answered "no" (outcomes_safety.md §3.3 -> none-found).
    screen_record(personas)

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    expect(page.get_by_role("heading", name=re.compile("Today's appointments"))).to_be_visible()
    screenshot(page, "visit-today")
    page.get_by_role("link", name="Open").click()
    page.get_by_role("button", name="Start the visit note").click()

    # Pre-check: right leg short by 2/8 inch (= 6.35 mm).
    page.get_by_role("link", name="Pre-check leg length").click()
    page.locator("#id_check_type").select_option("supine")
    page.locator("#id_short_side").select_option("right")
    page.locator("#id_magnitude").fill("2")
    page.locator("#id_unit").select_option("eighth_inch")
    page.get_by_role("button", name="Save examination").click()
    expect(page.locator(".exam-summary").first).to_contain_text(
        "right leg short by 2/8 in (6.35 mm)"
    )

    # Adjustment: NUCCA with a vector setting, then sign it.
    page.locator("#id_kind").select_option("uc_adjustment")
    page.locator("#id_technique").select_option("nucca")
    page.locator("#id_listing").fill("ASRp")
    page.locator("#id_contact_side").select_option("left")
    page.locator("#id_settings_text").fill("lateral_vector_deg = 12")
    page.get_by_role("button", name="Save treatment").click()
    page.get_by_role("button", name="Sign treatment").click()
    expect(page.get_by_text(re.compile("Signed by clinician"))).to_be_visible()

    # Post-check: even. Change 0 - 6.35 = -6.35 mm, beyond the 3.74 mm MDC (Cooperstein) -> reduced.
    page.get_by_role("link", name="Post-check leg length").click()
    page.locator("#id_check_type").select_option("supine")
    page.locator("#id_short_side").select_option("even")
    page.locator("#id_magnitude").fill("0")
    page.get_by_role("button", name="Save examination").click()
    expect(page.locator(".exam-summary").nth(1)).to_contain_text(
        "difference reduced: change from the pre-check 6.35 mm, beyond measurement error"
    )

    page.locator("#id_subjective").fill("Neck pain 6/10 since Monday.")
    page.locator("#id_assessment").fill("Atlas listing ASRp.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text(re.compile("Changes are made as amendments"))).to_be_visible()
    screenshot(page, "visit-signed")

    page.get_by_role("link", name="Amend").click()
    page.locator("#id_subjective").fill("Neck pain 6/10 since Sunday.")
    page.locator("#id_reason").fill("Patient corrected the onset day")
    page.get_by_role("button", name="Save amendment").click()
    expect(page.get_by_text("Neck pain 6/10 since Monday.")).to_be_visible()
    expect(page.get_by_text("Neck pain 6/10 since Sunday.")).to_be_visible()
    expect(page.locator(".amendments")).to_contain_text("clinician changed: subjective")
    screenshot(page, "visit-amended")
