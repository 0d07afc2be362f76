"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium. A missing
browser calls conftest.service_unavailable (skipped locally, a failure in CI).
"""

import atexit
import os
import shutil
from pathlib import Path

import pytest

import conftest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# to set up and check rows are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "correct horse battery staple"


_BROWSER: dict = {}


def _stop_browser() -> None:
    browser, playwright = _BROWSER.pop("browser", None), _BROWSER.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@pytest.fixture(scope="session")
def chromium():
    """One Playwright and one Chromium per test process, however many modules ask for them
    (a second sync_playwright() in the same thread would fail)."""
    if "browser" in _BROWSER:
        return _BROWSER["browser"]
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        conftest.service_unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        conftest.service_unavailable("the playwright Python package is not installed")
    playwright = sync_playwright().start()
    _BROWSER["playwright"] = playwright
    try:
        _BROWSER["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:
        _stop_browser()
        conftest.service_unavailable(f"Chromium did not start: {exc}")
    atexit.register(_stop_browser)
    return _BROWSER["browser"]


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context (no cookies); its page collects console errors and failed requests."""
    context = chromium.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []

    def on_console(message):
        # Chromium asks for /favicon.ico on its own; a 404 there is not the page's error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            page.console_errors.append(f"{message.text} at {message.location.get('url')}")

    page.on("console", on_console)
    page.failed_requests = []
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and page.failed_requests.append(f"{response.status} {response.url}")
        ),
    )
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """``log_in(user)``: submit the real log-in form and land on the home page."""

    def do(user, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        return page

    return do


@pytest.fixture
def results_dir():
    RESULTS.mkdir(exist_ok=True)
    return RESULTS
