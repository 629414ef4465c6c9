"""Browser tests: headless Debian Chromium driven by Playwright against the live test server.

Skipped, with a plain notice, when /usr/bin/chromium (or $CHROMIUM) is missing; CI installs it.
"""

import os
import shutil
import sqlite3

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


# The live server answers one request at a time. On the in-memory SQLite test database every
# server thread shares the test's one connection, so two requests served at once (an htmx
# autosave racing a form post) would interleave their savepoints on it. Django's plain server
# closes each connection after its response, so the browser never waits on a kept-alive one.
class SerialWSGIServer(WSGIServer):
    def __init__(self, *args, connections_override=None, **kwargs):
        # The server thread has already taken the shared connections (LiveServerThread.run).
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SerialWSGIServer
HAVE_CHROMIUM = bool(shutil.which(CHROMIUM))


def browser_skip_reason() -> str | None:
    if os.environ.get("SKIP_BROWSER_TESTS"):
        return "browser tests skipped: SKIP_BROWSER_TESTS is set (CI runs them in its SQLite stage)"
    if not HAVE_CHROMIUM:
        return f"browser tests skipped: Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = browser_skip_reason()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (fixtures) are synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    page.base_url = live_server.url
    yield page
    context.close()


# This worker's copy of the seeded demo database (SQLite only), taken after the first seeding.
_demo_snapshot = None


@pytest.fixture
def demo(transactional_db, settings):
    """The demo organisation, people, library and systems, without the seeded assessments.

    The journeys start assessments themselves, and walking the demo assessments through their
    states is the slowest part of seed_demo. On the in-memory SQLite test database (the only one
    the browser tests run on) the demo is seeded once per test process and copied back before
    each journey with SQLite's backup API: a copy takes milliseconds, seeding takes seconds.
    """
    global _demo_snapshot
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    settings.BASTION_DEMO_SEEDERS = [s for s in settings.BASTION_DEMO_SEEDERS if not s.startswith("assessments.")]
    copyable = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if copyable and _demo_snapshot is not None:
        connection.ensure_connection()
        _demo_snapshot.backup(connection.connection)
        ContentType.objects.clear_cache()  # the flush after the last journey made new rows and ids
        return
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    if copyable:
        _demo_snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_demo_snapshot)


def sign_in(page, username, to="/"):
    """Open `to` as `username`, signed in through a session made on the server (Django's
    `force_login`, which runs the same login signals as the form), not through the sign-in form:
    typing a password into the form costs three page loads, and about thirty journeys do it.
    The inventory journey walks the form itself. `to` defaults to where signing in lands."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    # Leave the last page first: its late htmx requests (the bell's count loads after the page)
    # would otherwise land signed out and could set cookies under the new session.
    page.goto("about:blank")
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.clear_cookies()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}])
    page.goto(to)
    if to == "/":
        page.wait_for_url("**/o/**")


def sign_in_with_password(page, username, password="demo"):
    """Sign in as a person does: the sign-in form, then wherever it lands."""
    page.goto("about:blank")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/o/**")
