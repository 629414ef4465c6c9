"""The cast of every test: one organisation with a member of each role, plus an outsider."""

import hashlib
import os
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import transaction

from accounts.models import Role
from tests.factories import MembershipFactory, OrganisationFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids repeat across rolled-back tests, and counts are
    cached under the organisation's id (readiness.controls.org_teams_load)."""
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, then Django's per-process content-type cache filled once.
    Filled on first use otherwise, a page's query count depended on whether an earlier test in
    the same process had looked its content types up (a test run first saw one query more)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    with django_db_blocker.unblock():
        ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)


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


@pytest.fixture(autouse=True)
def audit_checkpoint_dir(settings, tmp_path_factory):
    """Each test its own checkpoint directory: ids are reused between tests, checkpoints must not be."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit-checkpoints")
    return settings.AUDIT_CHECKPOINT_DIR


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


def pytest_configure(config):
    """On SQLite (the quick local stage) each test process creates its tables from the models
    instead of replaying every migration; CI's PostgreSQL stage runs the real migrations, and
    `makemigrations --check` keeps models and migrations in step."""
    if os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"):
        config.option.nomigrations = True


def pytest_make_parametrize_id(config, val, argname):
    """A short, stable id for a long parametrised text or file (the hostile inputs of a megabyte
    and more): its length and a digest. Used as the test id as it stands, it was escaped, compared
    across test processes and sent with every report, several seconds of each run."""
    if isinstance(val, (str, bytes)) and len(val) > 80:
        data = val.encode("utf-8", "surrogatepass") if isinstance(val, str) else val
        return f"{argname}-{len(val)}-{hashlib.blake2b(data, digest_size=4).hexdigest()}"
    return None


def pytest_collection_modifyitems(config, items):
    """In CI's PostgreSQL stage the real-worker tests must run, never be skipped quietly.

    The long units run first: the browser journeys and the groups that share an expensive
    module fixture (query scaling, the seeded demo). pytest-xdist hands out work in collection
    order, and a ten-second group handed out last would leave the other process idle at the end.
    The sort is stable, so every process collects the same order, as xdist requires."""
    from django.conf import settings

    if os.environ.get("REQUIRE_REAL_WORKER") and not getattr(settings, "CELERY_REAL_WORKER", False):
        raise pytest.UsageError("REQUIRE_REAL_WORKER is set but CELERY_BROKER_URL is not a real broker")
    items.sort(key=lambda item: 0 if item.get_closest_marker("xdist_group") or "browser" in item.keywords else 1)


@contextmanager
def module_data(django_db_blocker):
    """Data built once for a whole test module, inside a transaction rolled back after its last
    test. Each test still runs in its own savepoint inside it, so what a test changes is undone
    before the next one; only the expensive setup is shared."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _library_for_module(django_db_setup, django_db_blocker):
    from governance.library import load_builtin_library

    with module_data(django_db_blocker):
        yield load_builtin_library()


@pytest.fixture
def builtin_library(_library_for_module, db):
    """The built-in library (frameworks, controls, threats, scenarios), loaded once per module."""
    return _library_for_module


@pytest.fixture(scope="module")
def _demo_for_module(django_db_setup, django_db_blocker):
    import io

    from django.core.management import call_command

    with module_data(django_db_blocker):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()


@pytest.fixture
def demo_data(_demo_for_module, db):
    """The demo organisation of `seed_demo`, built once per module; returns what seed_demo printed."""
    return _demo_for_module


def pytest_report_header(config):
    """Say up front whether the browser tests will run (they need Debian's chromium)."""
    from tests.browser.conftest import CHROMIUM, browser_skip_reason

    reason = browser_skip_reason()
    return f"NOTE: {reason}" if reason else f"browser tests: {CHROMIUM}"
