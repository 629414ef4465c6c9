"""Tokens scoped to one organisation and a role (personal tokens act with the lower of the token's
role and their owner's), service tokens owned by a team and managed by admins, and the token's
name in the audit events of every change made with it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.access import Scope, membership_of, scoped
from accounts.models import Role
from api.models import ApiToken
from api.tokens import service_token_create, token_create
from audit.models import AuditEvent
from audit.services import verify_chain
from tests.api.conftest import ApiClient
from tests.factories import AISystemFactory, MembershipFactory, OrganisationFactory, TeamFactory

PASSWORD = "correct horse battery staple"


def url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": org.slug, **kwargs})


def patch_system(api, org, system):
    return api.patch(url("system_detail", org, pk=system.pk), {"version": system.version, "model_details": "v2"})


def test_a_personal_token_reaches_only_its_organisation(api_for, make_member, org):
    user = make_member(Role.ADMIN, "two-orgs")
    other = OrganisationFactory(slug="second-org")
    MembershipFactory(organisation=other, user=user, role=Role.ADMIN)
    api = api_for(user)  # scoped to `org`
    assert api.get(url("team_list", org)).status_code == 200
    assert api.get(url("team_list", other)).status_code == 404  # as if not a member


def test_a_token_acts_with_the_lower_of_its_role_and_its_owners(api_for, make_member, org, team):
    user = make_member(Role.LEAD, "capped", teams=[team])
    system = AISystemFactory(organisation=org, owner_team=team)
    viewer_token = api_for(user, role=Role.VIEWER)
    assert viewer_token.get(url("system_detail", org, pk=system.pk)).status_code == 200
    assert patch_system(viewer_token, org, system).status_code == 403
    assert viewer_token.get(url("audit_event_list", org)).status_code == 403  # viewers do not read the trail
    lead_token = api_for(user, role=Role.LEAD)
    user.memberships.update(role=Role.AUDITOR)  # the owner's current role caps the token's
    assert lead_token.get(url("audit_event_list", org)).status_code == 200
    assert patch_system(lead_token, org, system).status_code == 403


def test_a_token_role_above_the_creators_is_refused(make_member, org, team, client):
    user = make_member(Role.MEMBER, "modest")
    with pytest.raises(ValidationError):
        token_create(user=user, name="too high", expires_at=None, organisation=org, role=Role.LEAD)
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)
    data = {"name": "too high", "organisation": org.pk, "role": "admin", "expires": "30", "password": PASSWORD}
    response = client.post(reverse("api_tokens"), data)
    assert response.status_code == 200 and response.context["form"].errors["role"]
    assert not ApiToken.objects.exists()


def test_rules_checked_inside_a_transaction_obey_the_scope(make_member, org, team):
    user = make_member(Role.LEAD, "inside")
    system = AISystemFactory(organisation=org, owner_team=team)
    with scoped(Scope(user_id=user.pk, organisation=org, role=Role.MEMBER)):
        assert membership_of(user, system).role == Role.MEMBER
    other_org = OrganisationFactory(slug="elsewhere")
    with scoped(Scope(user_id=user.pk, organisation=other_org, role=Role.LEAD)), pytest.raises(PermissionDenied):
        membership_of(user, system)
    assert membership_of(user, system).role == Role.LEAD  # outside the scope: the person's own


@pytest.fixture
def admin(make_member, team):
    user = make_member(Role.ADMIN, "org-admin", teams=[team])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_admin_creates_a_service_token_on_the_settings_page(client, admin, org, team):
    client.force_login(admin)
    page = reverse("api_settings:service_tokens", kwargs={"org_slug": org.slug})
    data = {"name": "Chatbot pipeline", "team": team.pk, "role": "member", "expires": "90", "password": PASSWORD}
    response = client.post(page, data)
    assert response.status_code == 200, response.context["form"].errors
    raw = response.context["created"][1]
    token = ApiToken.objects.get(team=team)
    assert token.organisation == org and token.role == Role.MEMBER and token.created_by == admin
    assert token.user != admin and not token.user.has_usable_password() and not token.user.memberships.exists()
    assert raw.encode() in response.content and raw.encode() not in client.get(page).content  # shown once
    event = AuditEvent.objects.get(organisation=org, action="api.token.created")
    assert event.actor == admin and event.after["team"] == team.name
    # Revoked on the same page: the token stops working and its account is deactivated.
    api = ApiClient(client, raw)
    client.logout()
    assert api.get(url("team_list", org)).status_code == 200
    client.force_login(admin)
    revoke = reverse("api_settings:service_token_revoke", kwargs={"org_slug": org.slug, "pk": token.pk})
    assert client.post(revoke).status_code == 302
    client.logout()
    assert api.get(url("team_list", org)).status_code == 401
    assert AuditEvent.objects.filter(organisation=org, action="api.token.revoked", actor=admin).count() == 1


def test_service_token_role_is_capped_by_its_creator(make_member, org, team):
    lead = make_member(Role.LEAD, "a-lead")
    with pytest.raises(PermissionDenied):  # only admins create service tokens
        service_token_create(membership=lead.memberships.get(), team=team, name="x", role=Role.VIEWER, expires_at=None)
    foreign_team = TeamFactory(organisation=OrganisationFactory(slug="foreign"))
    admin = make_member(Role.ADMIN, "an-admin").memberships.get()
    with pytest.raises(ValidationError):
        service_token_create(membership=admin, team=foreign_team, name="x", role=Role.VIEWER, expires_at=None)


def test_a_service_token_works_for_its_team_and_is_named_in_the_audit_trail(client, admin, org, team):
    token, raw = service_token_create(
        membership=admin.memberships.get(), team=team, name="Chatbot pipeline", role=Role.MEMBER, expires_at=None
    )
    api = ApiClient(client, raw)
    ours = AISystemFactory(organisation=org, owner_team=team)
    theirs = AISystemFactory(organisation=org, owner_team=TeamFactory(organisation=org, name="Other team"))
    assert patch_system(api, org, ours).status_code == 200
    assert patch_system(api, org, theirs).status_code == 403  # a member of its own team only
    assert api.post(url("assessment_start", org, pk=ours.pk), {"due_date": "2999-01-01"}).status_code == 403
    other = OrganisationFactory(slug="not-its-org")
    assert api.get(url("team_list", other)).status_code == 404
    event = AuditEvent.objects.get(organisation=org, action="governance.aisystem.updated")
    assert event.actor == token.user and event.channel == "api"
    assert event.via_token == f"{token.prefix} Chatbot pipeline"
    assert "via_token" in event.payload() and verify_chain(org).ok


def test_a_personal_tokens_changes_name_it_and_other_events_do_not(api_for, make_member, org, team):
    user = make_member(Role.MEMBER, "namer", teams=[team])
    system = AISystemFactory(organisation=org, owner_team=team)
    api = api_for(user)
    assert patch_system(api, org, system).status_code == 200
    token = ApiToken.objects.get(user=user)
    event = AuditEvent.objects.get(action="governance.aisystem.updated")
    assert event.actor == user and event.via_token == f"{token.prefix} test"
    created = AuditEvent.objects.get(action="api.token.created")  # made outside the API
    assert created.via_token == "" and "via_token" not in created.payload()
