"""The permission matrix: every URL, every role.

For each URL pattern: anonymous users are sent to the login page, members of another
organisation get 404, roles below the one required get 403, the rest get the page. Rows live in
tests/matrix/<area>.py. A URL added without a row fails `test_every_url_is_in_the_matrix`.
"""

import json

import pytest
from django.core.files import File
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership, Role
from audit.models import AuditEvent, Verification
from audit.services import record
from tests.conftest import module_data
from tests.factories import AISystemFactory, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory
from tests.matrix import ROLES, extend_world, merged_rows
from tests.matrix.api import api_token_for
from tests.matrix.core import system_form

MATRIX = merged_rows()
OTHER_TEAM = "other-team member"

# URLs outside any organisation: who may open them is tested in their own modules.
NOT_ORG_SCOPED = {
    "home",
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "organisation_list",
    "organisation_create",
    "invitation_accept",  # anyone holding a genuine link: tests/accounts/test_invitations.py
    "profile",  # the signed-in user's own page: tests/accounts/test_profile.py
    "digest_preference",  # the user's own digest choice: tests/notifications/test_notifications.py
    # The user's own two-factor and session pages (tests/authn/test_two_factor.py, test_sessions.py).
    "authn:overview",
    "authn:enrol",
    "authn:verify",
    "authn:recovery",
    "authn:codes",
    "authn:disable",
    "authn:sessions",
    # The user's own API tokens (tests/api/test_tokens.py); the public API schema and docs page.
    "api_tokens",
    "api_token_revoke",
    "api:schema",
    "api:docs",
}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's own admin, guarded by is_staff
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    matrix_names = {name.split("#")[0] for name in MATRIX}
    missing = set(all_url_names()) - matrix_names - NOT_ORG_SCOPED
    assert not missing, f"Add these URLs to the permission matrix (tests/matrix/): {sorted(missing)}"


def build_world() -> dict:
    """One of everything, all in one organisation; every role is a member of the team that owns
    the system, and one member belongs to another team only."""
    org = OrganisationFactory(name="Acme Test", slug="acme-test")
    team = TeamFactory(organisation=org, name="Security Engineering")

    def member(role, username, teams=()):
        user = UserFactory(username=username)
        MembershipFactory(organisation=org, user=user, role=role)
        for t in teams:
            t.members.add(user)
        return user

    users = {role: member(role, f"matrix-{role}", teams=[team]) for role in ROLES}
    other_team = TeamFactory(organisation=org, name="Matrix other team")
    users[OTHER_TEAM] = member(Role.MEMBER, "matrix-other-team", teams=[other_team])
    target = Membership.objects.get(user=member(Role.MEMBER, "matrix-target"))
    system = AISystemFactory(organisation=org, owner_team=team)
    verification = Verification.objects.create(organisation=org)
    with transaction.atomic():
        event = record(organisation=org, actor=users[Role.ADMIN], action="test.created", obj=system)
    world = {
        "org": org,
        "team": team,
        "users": users,
        "target": target,
        "system": system,
        "event": event,
        "verification": verification,
    }
    extend_world(world)
    return world


@pytest.fixture(scope="module")
def _world_for_module(django_db_setup, django_db_blocker):
    # Built once per module (about 150 URLs use it); each test runs in its own savepoint inside,
    # so what one changes is undone before the next.
    with module_data(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(_world_for_module, db):
    return _world_for_module


def _request(client, name, row, world, who=None):
    kwargs = {"org_slug": world["org"].slug, **(row.kwargs(world) if row.kwargs else {})}
    url = reverse(name.split("#")[0], kwargs=kwargs)
    if row.api:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {world['api_tokens'][who]}"} if who != "anonymous" else {}
        body = row.data(world) if row.data else None
        if isinstance(body, dict) and any(isinstance(v, File) for v in body.values()):
            return client.post(url, body, **headers)  # an upload: multipart/form-data
        data = json.dumps(body) if body is not None else ""
        return client.generic(row.method.upper(), url, data, content_type="application/json", **headers)
    if row.method == "post":
        return client.post(url, row.data(world) if row.data else {})
    return client.get(url)


def _allowed(row, who) -> bool:
    if who == OTHER_TEAM:  # a member of the same organisation, in a team that owns none of it
        return Role.MEMBER in row.allowed and not row.team_scoped
    return who in row.allowed


def _expected(row, who) -> str:
    if who == "anonymous":
        return "401" if row.api else "login redirect"
    if who == "outsider":
        return "404"
    return f"one of {row.ok}" if _allowed(row, who) else "403"


def _as_expected(row, who, response) -> bool:
    if who == "anonymous" and row.api:
        return response.status_code == 401
    if who == "anonymous":
        return response.status_code == 302 and response["Location"].startswith(reverse("login"))
    if who == "outsider":
        return response.status_code == 404
    return response.status_code in row.ok if _allowed(row, who) else response.status_code == 403


@pytest.fixture(scope="module")
def signed_in(_world_for_module, django_db_blocker):
    """A client per persona, signed in once per module (a sign-in writes about 30 rows: session,
    sign-in log, security events), and each one's session cookie to put back before a request,
    since a request that rotates the session (sign-out, password change) is rolled back."""
    from django.conf import settings
    from django.test import Client

    with django_db_blocker.unblock():
        outsider = UserFactory(username="the-outsider")
        MembershipFactory(organisation=OrganisationFactory(name="Other Org", slug="other-org"), user=outsider)
        _world_for_module["api_tokens"]["outsider"] = api_token_for(outsider)
        clients, cookies = {"anonymous": Client()}, {}
        for who, user in {**_world_for_module["users"], "outsider": outsider}.items():
            clients[who] = Client()
            clients[who].force_login(user)
            cookies[who] = clients[who].cookies[settings.SESSION_COOKIE_NAME].value
    return clients, cookies, settings.SESSION_COOKIE_NAME


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_each_kind_of_user_as_the_matrix_says(world, signed_in, name):
    """Anonymous → login, outsider → 404, each role → its page or 403.

    Every request runs in a savepoint that is rolled back, so an allowed POST (a submit, a
    removal) by one role does not change what the next role finds.
    """
    row = MATRIX[name]
    clients, cookies, cookie_name = signed_in
    problems = []
    for who in ["anonymous", "outsider", *ROLES, OTHER_TEAM]:
        # API calls carry the persona's token and no session.
        client = clients["anonymous" if row.api else who]
        if client is not clients["anonymous"]:
            client.cookies[cookie_name] = cookies[who]
        else:
            client.cookies.clear()
        with transaction.atomic():
            response = _request(client, name, row, world, who)
            transaction.set_rollback(True)
        if not _as_expected(row, who, response):
            problems.append(f"{who} got {response.status_code}, expected {_expected(row, who)}")
    assert not problems, f"{name}: " + "; ".join(problems)


def test_forbidden_post_changes_nothing(client, world):
    """A viewer posting an edit gets 403 and the system is unchanged, its history too."""
    system = world["system"]
    client.force_login(world["users"][Role.VIEWER])
    url = reverse("governance:system_edit", kwargs={"org_slug": world["org"].slug, "pk": system.pk})
    assert client.post(url, system_form(world)).status_code == 403
    system.refresh_from_db()
    assert system.name != "Renamed system"
    assert not AuditEvent.objects.filter(action="governance.aisystem.updated").exists()
