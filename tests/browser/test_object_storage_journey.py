"""A real browser shows posture photos kept in object storage.

The page's ``<img>`` asks the app, the app logs the read and redirects to a signed URL on the
S3 server (moto, ``S3_TEST_URL``), and Chromium loads it: only because the
Content-Security-Policy allows the store's origin (web/settings_storage.py adds it). Without that
origin the same page shows no photo, which the second test proves. Skipped without Chromium or
without the S3 server.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.urls import reverse

from atlaschart.web import settings_storage
from tests.browser.conftest import screenshot
from tests.builders import object_store
from tests.builders.object_store import Store, bucket_photo, photo_reads, stored_shot

# The S3 server fixture is the object-storage tests' (tests/builders/object_store.py); Chromium and
# the page come from this folder's conftest (one Playwright per session: a second one in the same
# thread fails).
store = object_store.store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _allow_media_origin(settings: Any, allow: bool) -> None:
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    if allow:
        for directive in ("img-src", "connect-src"):
            policy["DIRECTIVES"][directive] += settings_storage.media_origins(
                settings.STORAGES["default"]
            )
    settings.CONTENT_SECURITY_POLICY = policy


def _open_session(live_server: Any, page: Any, personas: Any, session_id: int) -> list[int]:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live_server.url + reverse("posture:session", args=[session_id]))
    page.wait_for_function("() => [...document.images].every((img) => img.complete)")
    images = page.locator("img.posture-thumb, a.posture-thumb img")
    assert images.count() == 1
    return [images.nth(i).evaluate("img => img.naturalWidth") for i in range(images.count())]


def test_the_session_page_shows_a_photo_from_the_bucket(
    store: Store, live_server: Any, page: Any, personas: Any, settings: Any
) -> None:
    if store.enforces_expiry:
        pytest.skip("one server is enough for the browser")
    _allow_media_origin(settings, allow=True)
    shot = stored_shot(personas, bucket_photo())
    fetched: list[str] = []
    page.on("response", lambda r: fetched.append(f"{r.status} {r.url}"))

    widths = _open_session(live_server, page, personas, shot.session_id)

    assert widths == [40]  # the 40×30 photo, decoded
    assert any(
        f.startswith("302 ") and f.endswith(f"/posture/shot/{shot.pk}/image") for f in fetched
    )
    assert any(f.startswith(f"200 {store.endpoint}/{store.bucket}/") for f in fetched)
    assert photo_reads(shot) == 1
    screenshot(page, "object-storage-session-photo")


def test_without_the_store_in_the_policy_the_browser_refuses_the_photo(
    store: Store, live_server: Any, page: Any, personas: Any, settings: Any
) -> None:
    if store.enforces_expiry:
        pytest.skip("one server is enough for the browser")
    _allow_media_origin(settings, allow=False)
    shot = stored_shot(personas, bucket_photo())
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )

    widths = _open_session(live_server, page, personas, shot.session_id)

    assert widths == [0]
    assert violations, "Chromium should report the blocked image"
