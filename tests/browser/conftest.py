"""Browser tests: Playwright (Python) driving Debian's Chromium, headless.

Skipped, with a plain reason, when /usr/bin/chromium is missing; `.ci/run` installs it so CI
always runs them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ATLASCHART_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_DIR = Path(os.environ.get("ATLASCHART_SCREENSHOTS", "var/screenshots"))

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (creating fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _wait_for_function_by_polling(
    self: Any,
    expression: str,
    *,
    arg: Any = None,
    timeout: float | None = None,
    polling: Any = None,
) -> Any:
    """Page.wait_for_function without Playwright's in-page eval, which the app's CSP forbids.

    Playwright compiles a string predicate inside the page with eval(); the Content-Security-Policy
    (no 'unsafe-eval', docs/security.md) refuses that. page.evaluate() goes through the DevTools
    protocol, which CSP does not govern, so the predicate is polled from here instead.
    """
    deadline = time.monotonic() + (timeout if timeout is not None else 15_000) / 1000
    while True:
        value = self.evaluate(expression) if arg is None else self.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"wait_for_function timed out: {expression}")
        self.wait_for_timeout(50)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests skipped: {CHROMIUM} not found (apt-get install -y chromium)")
    from playwright.sync_api import Page, sync_playwright

    Page.wait_for_function = _wait_for_function_by_polling  # type: ignore[method-assign]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1180, "height": 820}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
