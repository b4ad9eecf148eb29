"""Two-factor sign-in in a real browser: a clinician sets up an authenticator from the key on the
enrolment page (the code computed here from that key, as the phone would), signs out, and signs
in again with password and code. No page breaks the Content-Security-Policy on the way.
"""

from __future__ import annotations

import re
from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def app_code(manual_key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key: RFC 6238, 30-second steps, 6 digits."""
    secret = manual_key.replace(" ", "")
    secret += "=" * (-len(secret) % 8)
    value = totp(b32decode(secret), step=30, t0=-30 * steps_ahead, digits=6)
    return f"{value:06d}"


def test_enrol_then_sign_in_with_a_code(live_server, page, personas, settings) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "clinician"]
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    page.goto(live_server.url + "/patients/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))
    expect(page.get_by_role("heading", name="Set up a second factor")).to_be_visible()
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    screenshot(page, "two-factor-enrol")
    key = page.get_by_test_id("manual-key").inner_text()
    page.get_by_label("Code from the app").fill(app_code(key))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them; continue").click()
    expect(page).to_have_url(re.compile(r"/patients/$"))

    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    # The code just used for enrolment may not be used twice; the app's next one is accepted.
    page.get_by_label("Code").fill(app_code(key, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert "/accounts/" not in page.url
    page.goto(live_server.url + "/patients/")
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    assert not violations, violations
