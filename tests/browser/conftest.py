"""A real Chromium, driven by Playwright, against a live studio and worker."""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def page(live_server):
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it "
            "(apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, and Django
    # refuses ORM calls from a thread with a loop unless told it is safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
            ],
        )
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        # Generous: the worker and the browser share the CPUs with the tests.
        context.set_default_timeout(60_000)
        # The studio must work offline: any request off this machine is
        # refused here and fails the test.
        outside = []

        def refuse(route):
            outside.append(route.request.url)
            route.abort()

        context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])"), refuse)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        # The last page seen, for a person looking into a failure.
        page.screenshot(path=str(SCREENSHOTS / "last-page.png"), full_page=True)
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not outside, f"Requests off this machine: {outside}"


@pytest.fixture
def shoot(page):
    """Save a full-page screenshot under test-artifacts/screenshots/."""

    def shoot(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
