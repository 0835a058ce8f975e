"""Playwright driving Debian's Chromium against pytest-django's live server.

The browser is started once for the tests in this folder; each test gets a fresh context (no
cookies, Vietnamese as the browser's language) and the personas of tests/conftest.py's `world`,
which runs on a transactional database here because the live server reads it from another thread.

Every page a test opens is checked with axe-core when the test ends (tests/browser/accessibility.py): the
page as the test left it, then each other page it went to (unless the test checked it with assert_accessible),
opened again by the same browser context.
"""

import os

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.accessibility import VisitedPages, describe

CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by .ci/run; Playwright downloads no browser.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "mat-khau-thu-nghiem"  # every UserFactory login's password (tests/factories.py)

expect.set_options(timeout=10_000)


@pytest.fixture(scope="package")
def browser():
    """Chromium, started once for the tests in this folder and stopped after the last of them.

    Playwright's sync API keeps an asyncio event loop running in this thread while it is started,
    so Django takes the test's own (synchronous) ORM calls for calls from async code and raises
    SynchronousOnlyOperation. DJANGO_ALLOW_ASYNC_UNSAFE lifts that check for exactly as long as
    Playwright runs; the package scope ends both before the rest of the suite goes on.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Notes on the test whether its own steps failed: its pages are then not checked too."""
    report = yield
    if report.when == "call":
        item.steps_failed = report.failed
    return report


@pytest.fixture
def new_page(request, browser, live_server, transactional_db):
    """Opens a page in a new browser context against the live server; closes them after the test.

    When the test ends (its steps passed), the pages it opened are checked with axe-core and the test errors
    with the violations found. transactional_db is asked for so that the database is emptied only after that check.
    """
    contexts = []
    visits = []

    def open_page(**options):
        context = browser.new_context(
            base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options
        )
        contexts.append(context)
        page = context.new_page()
        visits.append(VisitedPages(page, live_server.url))
        return page

    yield open_page
    try:
        checked = [] if getattr(request.node, "steps_failed", True) else visits
        found = [finding for visited in checked for finding in visited.violations()]
    finally:
        for context in contexts:
            context.close()
    if found:
        pytest.fail("\n".join(describe(url, violations) for url, violations in found), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in():
    """Logs a factory user in through the login form at a path (the admin's or the portal's)."""

    def submit_login_form(page, user, path):
        page.goto(path)
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#id_password").press("Enter")
        expect(page.locator("#id_password")).to_have_count(0)

    return submit_login_form
