"""Browser tests: a real headless Chromium drives pytest-django's live server.

They need Debian's Chromium (``make e2e-deps``, as root) and the ``playwright`` package from
requirements.txt; without either, this whole folder is skipped and says so.

The database, and why this file does more than start a browser:

* ``live_server`` makes every test here transactional, and pytest-django *flushes* the
  database after each one, which also deletes what migrations created (provinces, crafts,
  the role groups). ``serialized_rollback`` puts those rows back at the start of each test;
  the teardown hook below puts them back again after the flush, so that the transactional
  tests that run after these ones find the database as migrated.
* Playwright's sync API leaves its event loop marked as running in the test thread between
  calls. Django then refuses ORM calls (hence ``DJANGO_ALLOW_ASYNC_UNSAFE``) and, worse, keys
  its connections by context instead of by thread: the test code gets a second connection
  object to the same in-memory database, one that lacks the serialized rows pytest-django
  keeps on the first. The ``browser`` fixture hands them over; without that, serialized
  rollback silently restores nothing and the second test finds no "staff" group.
"""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if CHROMIUM is None:
    SKIP_REASON = (
        "browser tests skipped: Chromium not installed — run `make e2e-deps` as root "
        "(apt-get install -y chromium, which gives /usr/bin/chromium; `playwright install` is not used)"
    )
elif sync_playwright is None:
    SKIP_REASON = (
        "browser tests skipped: the playwright package is not installed — "
        "run `.venv/bin/pip install -r requirements.txt`"
    )
else:
    SKIP_REASON = ""

if SKIP_REASON:

    class _SkippedModule(pytest.Module):
        """A test module reported as skipped, with how to enable it, and never imported."""

        def collect(self):
            pytest.skip(SKIP_REASON)

    def pytest_pycollect_makemodule(module_path, parent):
        return _SkippedModule.from_parent(parent, path=module_path)

else:
    # See the module docstring: the ORM must accept calls from a thread with a "running" loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000  # a broken page fails in seconds, not after Playwright's default 30 s
PASSWORD = "souk-test-pass"  # tests.factories.UserFactory's password
# Screenshots: the ones the tests take on purpose, and every page of a failed test.
SCREENSHOT_DIR = Path(os.environ.get("E2E_SCREENSHOT_DIR", tempfile.gettempdir()))

_RESTORE = pytest.StashKey[tuple]()  # (django_db_blocker, migrated rows) of a browser test
_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Once the test's fixtures (and pytest-django's flush) are done, restore the migrated rows."""
    try:
        return (yield)
    finally:
        # At the session's end (no next test) the test database is gone: never flush the real one.
        if _RESTORE in item.stash and nextitem is not None:
            blocker, rows = item.stash[_RESTORE]
            with blocker.unblock():
                # Flush again without post_migrate, whatever the first flush did, so that the
                # content types and permissions come back with their original ids.
                call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
                connections[DEFAULT_DB_ALIAS].creation.deserialize_db_from_string(rows)


@pytest.fixture(scope="package")
def _migrated_rows(django_db_setup, django_db_blocker):
    """The database as migrations left it, serialized: what pytest-django keeps for rollbacks."""
    rows = getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)
    if rows is None:
        with django_db_blocker.unblock():
            rows = connections[DEFAULT_DB_ALIAS].creation.serialize_db_to_string()
    return rows


@pytest.fixture(autouse=True)
def _migrated_data(request, django_db_serialized_rollback, django_db_blocker, _migrated_rows):
    """Every test here starts with the migrated rows and leaves them behind (see the hook)."""
    request.node.stash[_RESTORE] = (django_db_blocker, _migrated_rows)


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """Logging in through the form costs milliseconds instead of half a second per hash."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="package")
def browser(_migrated_rows):
    """One headless Chromium for all the browser tests.

    Package-scoped rather than session-scoped: it stops when the last test here is done, so
    Playwright's event loop no longer looks "running" to the tests that come after.
    """
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        # From here on the test thread sees a new connection object (module docstring).
        connections[DEFAULT_DB_ALIAS]._test_serialized_contents = _migrated_rows
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _save_screenshot(page, name):
    page.screenshot(path=SCREENSHOT_DIR / f"e2e-{name}.png", full_page=True)


@pytest.fixture
def save_screenshot():
    """Save a whole page as <SCREENSHOT_DIR>/e2e-<name>.png, for a human to look at."""
    return _save_screenshot


@pytest.fixture
def new_page(request, browser, live_server):
    """Open a page in a fresh browser context (own cookies) on the live server.

    Keyword arguments go to ``browser.new_context``: a viewport, ``is_mobile``…
    On failure every page of the test is saved as e2e-failure-<test>-<n>.png (see SCREENSHOT_DIR).
    """
    contexts = []

    def open_page(**context_options):
        options = {"locale": "fr-FR", "timezone_id": settings.TIME_ZONE, **context_options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page

    failed = request.node.stash.get(_FAILED, False)
    shot = 0
    for context in contexts:
        for page in context.pages:
            if failed:
                shot += 1
                with contextlib.suppress(PlaywrightError):
                    _save_screenshot(page, f"failure-{request.node.name}-{shot}")
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280 by 900); the browser asks for French."""
    return new_page(viewport={"width": 1280, "height": 900})


@pytest.fixture
def log_in():
    """Log a user in through the login form (a staff member lands on the fair list)."""

    def log_in_as(page, user):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.locator('main form[method="post"] button[type="submit"]').click()
        expect(page.locator("#id_password")).to_have_count(0)

    return log_in_as


@pytest.fixture
def choose_language():
    """Pick a language in the navbar selector: it posts to /language/ and comes back."""

    def choose(page, code):
        with page.expect_navigation():
            page.select_option("select#language-select", code)
        expect(page.locator("html")).to_have_attribute("lang", code)

    return choose
