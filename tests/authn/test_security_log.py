"""Security events: structured JSON on `bastion.security`, with actor, address, organisation, object."""

import json
import logging
import logging.config

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Membership, Role
from tests.factories import AISystemFactory, UserFactory


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="bastion.security")

    def of(name=None):
        return [r for r in caplog.records if r.name == "bastion.security" and (name is None or r.msg == name)]

    return of


def test_sign_in_success_and_failure(member, sign_in, events):
    sign_in("the-member", "wrong", REMOTE_ADDR="192.0.2.9")
    sign_in("the-member", "password", REMOTE_ADDR="192.0.2.9")
    failed, succeeded = events("login.failed")[0], events("login.succeeded")[0]
    assert failed.username == "the-member" and failed.address == "192.0.2.9" and failed.levelname == "WARNING"
    assert "wrong" not in json.dumps(failed.__dict__, default=str)  # never the password
    assert succeeded.actor == "the-member" and succeeded.second_factor == "none"


def test_lockout_is_logged(member, sign_in, events, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("the-member", "wrong")
    assert events("login.locked_out")[0].username == "the-member"


def test_two_factor_changes_are_logged(client, member, sign_in, enrolled, events):
    _device, codes = enrolled(member)
    sign_in("the-member")
    client.post(reverse("authn:verify"), {"code": "000000"})
    client.post(reverse("authn:recovery"), {"code": codes[0]})
    names = [r.msg for r in events() if r.msg.startswith("two_factor.")]
    assert names == ["two_factor.enrolled", "two_factor.failed", "two_factor.recovery_code_used"]
    assert all(r.actor == "the-member" for r in events() if r.msg.startswith("two_factor."))


def test_permission_denials_are_logged_with_the_organisation(client_for, viewer, org, events):
    url = reverse("governance:system_create", args=[org.slug])
    assert client_for(viewer).get(url).status_code == 403
    denied = events("access.denied")[0]
    assert (denied.actor, denied.organisation, denied.path) == ("the-viewer", org.slug, url)


def test_exports_are_logged(client_for, auditor, org, events):
    assert client_for(auditor).get(reverse("governance:library_export", args=[org.slug])).status_code == 200
    assert events("export.library")[0].organisation == org.slug


def test_role_changes_and_additions_are_logged_with_the_actor(client_for, admin, org, team, events):
    c = client_for(admin)
    response = c.post(
        reverse("accounts:member_add", args=[org.slug]), {"invitee": "n@example.test", "role": Role.VIEWER}
    )
    assert response.status_code == 302, response.context["form"].errors
    invited = events("invitation.created")[0]
    assert (invited.actor, invited.organisation, invited.role) == ("the-admin", org.slug, Role.VIEWER)
    services.membership_add(actor=admin, organisation=org, user=UserFactory(username="newbie"), role=Role.VIEWER)
    added = events("member.added")[0]
    assert (added.object, added.role) == ("user:newbie", Role.VIEWER)  # no request: no actor address
    target = Membership.objects.get(user__username="newbie")
    services.membership_update(actor=admin, membership=target, role=Role.MEMBER, teams=[])
    changed = events("member.role_changed")[0]
    assert (changed.role, changed.old_role) == (Role.MEMBER, Role.VIEWER)


def test_the_formatter_writes_one_json_object_a_line_in_utc(member):
    from config import settings as production

    formatter = logging.config.dictConfigClass({}).configure_formatter(production.LOGGING["formatters"]["json"])
    record = logging.LogRecord("bastion.security", logging.WARNING, __file__, 1, "login.failed", None, None)
    record.actor, record.address, record.organisation, record.object = "eve\nforged line", "192.0.2.1", "acme", ""
    line = formatter.format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["event"] == "login.failed" and data["level"] == "WARNING" and data["actor"] == "eve\nforged line"
    assert data["time"].endswith("+00:00")


def test_evidence_downloads_are_logged(client_for, lead, org, team, events):
    from tests.assessments.factories import EvidenceFactory

    system = AISystemFactory(organisation=org, owner_team=team)
    evidence = EvidenceFactory(assignment__ai_system=system, with_file=True)
    url = reverse("assessments:evidence_download", args=[org.slug, evidence.pk])
    assert client_for(lead).get(url).status_code == 200
    assert events("download.evidence")[0].object == f"pk={evidence.pk}"


def test_two_factor_reset_is_logged(client_for, admin, member, org, enrolled, events):
    enrolled(member)
    target = Membership.objects.get(user=member, organisation=org)
    client_for(admin).post(reverse("authn_org:member_reset", args=[org.slug, target.pk]))
    reset = events("two_factor.reset")[0]
    assert (reset.actor, reset.object, reset.organisation) == ("the-admin", "user:the-member", org.slug)
