"""The cast of every test: one organisation with a member of each role, plus an outsider."""

import os

import pytest
from django.core.cache import cache

from accounts.models import Role
from tests.factories import MembershipFactory, OrganisationFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids repeat across rolled-back tests, and counts are
    cached under the organisation's id (assessments.readiness.org_teams_load)."""
    cache.clear()


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Acme Test", slug="acme-test")


@pytest.fixture
def make_member(org):
    def make(role: str, username: str | None = None, teams=()):
        user = UserFactory(username=username) if username else UserFactory()
        MembershipFactory(organisation=org, user=user, role=role)
        for team in teams:
            team.members.add(user)
        return user

    return make


@pytest.fixture
def team(org):
    return TeamFactory(organisation=org, name="Security Engineering")


@pytest.fixture
def admin(make_member):
    return make_member(Role.ADMIN, "the-admin")


@pytest.fixture
def lead(make_member):
    return make_member(Role.LEAD, "the-lead")


@pytest.fixture
def member(make_member, team):
    return make_member(Role.MEMBER, "the-member", teams=[team])


@pytest.fixture
def auditor(make_member):
    return make_member(Role.AUDITOR, "the-auditor")


@pytest.fixture
def viewer(make_member):
    return make_member(Role.VIEWER, "the-viewer")


@pytest.fixture
def outsider(db):
    other = OrganisationFactory(name="Other Org", slug="other-org")
    user = UserFactory(username="the-outsider")
    MembershipFactory(organisation=other, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client signed in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker in a thread, consuming from the configured broker (Redis in CI)."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()  # messages left by an earlier run refer to rows that no longer exist
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def eager_tasks():
    """Run tasks in-process even when a real broker is configured (for view tests)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def pytest_collection_modifyitems(config, items):
    """In CI's PostgreSQL stage the real-worker tests must run, never be skipped quietly."""
    from django.conf import settings

    if os.environ.get("REQUIRE_REAL_WORKER") and not getattr(settings, "CELERY_REAL_WORKER", False):
        raise pytest.UsageError("REQUIRE_REAL_WORKER is set but CELERY_BROKER_URL is not a real broker")


@pytest.fixture
def builtin_library(db):
    """The built-in library (frameworks, controls, threats, scenarios) loaded for this test."""
    from governance.library import load_builtin_library

    return load_builtin_library()


def pytest_report_header(config):
    """Say up front whether the browser tests will run (they need Debian's chromium)."""
    from tests.browser.conftest import CHROMIUM, browser_skip_reason

    reason = browser_skip_reason()
    return f"NOTE: {reason}" if reason else f"browser tests: {CHROMIUM}"
