"""Two-factor sign-in: enrolment, the second step, recovery codes, turning off, admin reset."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Role
from audit.models import AuditEvent
from authn.models import RecoveryCode
from tests.factories import MembershipFactory, OrganisationFactory

from .conftest import totp_code

CODE = re.compile(r"<li>([a-z2-9]{5}(?:-[a-z2-9]{5}){4})</li>")


def test_enrol_shows_a_qr_code_as_an_image_the_csp_allows(client_for, member):
    c = client_for(member)
    response = c.get(reverse("authn:enrol"))
    body = response.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert "<script" not in body.split("<body", 1)[1].split("</body>")[0].replace('src="/static', "")
    assert response["Cache-Control"] == "no-store"
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    # Reloading keeps the same secret, so a code from an already scanned QR code still works.
    c.get(reverse("authn:enrol"))
    assert TOTPDevice.objects.filter(user=member).count() == 1
    assert device.config_url.startswith("otpauth://totp/Bastion")


def test_enrol_with_a_wrong_code_is_refused_with_a_message(client_for, member):
    c = client_for(member)
    c.get(reverse("authn:enrol"))
    response = c.post(reverse("authn:enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()
    bad = c.post(reverse("authn:enrol"), {"code": "12ab"})
    assert "six digits" in bad.content.decode()


def test_enrol_shows_ten_codes_once_stores_only_hashes_and_audits(client_for, member, org):
    other = OrganisationFactory()
    MembershipFactory(organisation=other, user=member, role=Role.VIEWER)
    c = client_for(member)
    c.get(reverse("authn:enrol"))
    device = TOTPDevice.objects.get(user=member)
    response = c.post(reverse("authn:enrol"), {"code": totp_code(device)})
    assert response.status_code == 200
    codes = CODE.findall(response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=member).values_list("digest", flat=True))
    assert len(stored) == 10 and not stored & set(codes)  # only digests are kept
    # Audited in every organisation of the user, in the same transaction.
    orgs = set(AuditEvent.objects.filter(action="accounts.two_factor.enrolled").values_list("organisation", flat=True))
    assert orgs == {org.pk, other.pk}
    assert c.get(reverse("authn:overview")).status_code == 200
    assert "10 recovery codes left" in c.get(reverse("authn:overview")).content.decode()


def test_sign_in_asks_for_the_second_factor_before_anything_else(client, member, org, enrolled, sign_in):
    device, _codes = enrolled(member)
    response = sign_in("the-member")
    assert response.status_code == 302
    system_list = reverse("governance:system_list", args=[org.slug])
    held = client.get(system_list)
    assert held.status_code == 302 and held["Location"].startswith(reverse("authn:verify"))
    assert client.get(reverse("authn:overview"))["Location"].startswith(reverse("authn:verify"))
    wrong = client.post(reverse("authn:verify"), {"code": "000000", "next": system_list})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    key_before = client.session.session_key
    # The failed try throttles the device for a second; let it pass.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    ok = client.post(reverse("authn:verify"), {"code": totp_code(device, steps_ahead=1), "next": system_list})
    assert ok.status_code == 302 and ok["Location"] == system_list
    assert client.session.session_key != key_before  # a new session key once fully signed in
    assert client.get(system_list).status_code == 200


def test_a_code_is_accepted_once_and_wrong_codes_are_throttled(member, enrolled):
    from authn import twofactor

    device, _ = enrolled(member)
    code = totp_code(device, steps_ahead=1)
    assert twofactor.verify(member, code)
    assert not twofactor.verify(member, code)  # replay of the same code
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # While throttled (1 s, then 2, 4 …) even the right code is refused.
    assert not twofactor.verify(member, totp_code(device, steps_ahead=2))


def test_a_code_from_a_few_minutes_ago_has_expired(member, enrolled):
    from authn import twofactor

    device, _ = enrolled(member)
    assert not twofactor.verify(member, totp_code(device, steps_ahead=-3))  # 30-second steps, one of slack


def test_the_next_address_cannot_send_the_user_elsewhere(client, member, enrolled, sign_in):
    device, _ = enrolled(member)
    sign_in("the-member")
    response = client.post(reverse("authn:verify"), {"code": totp_code(device, 1), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_recovery_code_signs_in_once_and_is_audited(client, member, org, enrolled, sign_in):
    _device, codes = enrolled(member)
    sign_in("the-member")
    response = client.post(reverse("authn:recovery"), {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(reverse("governance:system_list", args=[org.slug])).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.two_factor.recovery_code_used", organisation=org).count() == 1
    client.post(reverse("logout"))
    sign_in("the-member")
    again = client.post(reverse("authn:recovery"), {"code": codes[0]})
    assert again.status_code == 200 and "not valid" in again.content.decode()
    assert RecoveryCode.objects.filter(user=member, used_at__isnull=True).count() == 9


def test_regenerating_codes_needs_the_password_and_replaces_them(client_for, member, enrolled):
    _device, old = enrolled(member)
    c = _verified_client(client_for, member)
    assert "not your password" in c.post(reverse("authn:codes"), {"password": "nope"}).content.decode()
    response = c.post(reverse("authn:codes"), {"password": "password"})
    new = CODE.findall(response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    from authn import twofactor

    assert not twofactor.use_recovery_code(member, old[1])
    assert twofactor.use_recovery_code(member, new[1])
    assert AuditEvent.objects.filter(action="accounts.two_factor.recovery_codes_regenerated").exists()


def _verified_client(client_for, user):
    c = client_for(user)
    session = c.session
    session["authn.2fa"] = "ok"
    session.save()
    return c


def test_turning_off_needs_the_password_and_ends_other_sessions(client, client_for, member, enrolled, sign_in):
    from django.test import Client

    enrolled(member)
    elsewhere = Client()
    elsewhere.force_login(member)
    c = _verified_client(client_for, member)
    assert c.post(reverse("authn:disable"), {"password": "nope"}).status_code == 200
    assert c.post(reverse("authn:disable"), {"password": "password"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not RecoveryCode.objects.filter(user=member).exists()
    assert AuditEvent.objects.filter(action="accounts.two_factor.disabled").exists()
    assert c.get(reverse("authn:overview")).status_code == 200  # this session lives on
    assert elsewhere.get(reverse("authn:overview")).status_code == 302  # the other one ended


def test_an_admin_resets_a_members_second_factor(client, client_for, admin, member, org, enrolled, sign_in):
    enrolled(member)
    from django.test import Client

    members_session = Client()
    members_session.force_login(member)
    target = Membership.objects.get(user=member, organisation=org)
    response = client_for(admin).post(reverse("authn_org:member_reset", args=[org.slug, target.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action="accounts.two_factor.reset")
    assert event.actor == admin and event.organisation == org
    assert members_session.get(reverse("authn:overview")).status_code == 302  # signed out


def test_an_admin_cannot_reset_their_own_or_a_superusers_second_factor(client_for, admin, org, make_member):
    own = Membership.objects.get(user=admin, organisation=org)
    c = client_for(admin)
    assert c.post(reverse("authn_org:member_reset", args=[org.slug, own.pk])).status_code == 403
    root = make_member(Role.VIEWER, "root")
    root.is_superuser = True
    root.save()
    theirs = Membership.objects.get(user=root, organisation=org)
    assert c.post(reverse("authn_org:member_reset", args=[org.slug, theirs.pk])).status_code == 403


@pytest.mark.parametrize("role,held", [(Role.MEMBER, True), (Role.ADMIN, True), (Role.AUDITOR, False)])
def test_an_organisation_can_require_two_factor_of_everyone_with_write_access(client_for, org, make_member, role, held):
    org.require_two_factor = True
    org.save()
    user = make_member(role)
    c = client_for(user)
    response = c.get(reverse("governance:system_list", args=[org.slug]))
    if held:
        assert response.status_code == 302 and response["Location"].startswith(reverse("authn:enrol"))
        assert c.get(reverse("authn:enrol")).status_code == 200
    else:
        assert response.status_code == 200


def test_the_requirement_reaches_users_already_signed_in(client_for, member, org, time_machine):
    time_machine.move_to("2026-06-01 09:00", tick=False)
    c = client_for(member)
    url = reverse("governance:system_list", args=[org.slug])
    assert c.get(url).status_code == 200
    org.require_two_factor = True
    org.save()
    time_machine.shift(61)
    assert c.get(url)["Location"].startswith(reverse("authn:enrol"))


def test_the_organisation_setting_is_edited_by_admins_and_audited(client_for, admin, org, caplog):
    from tests.accounts.test_organisation_edit import data as form_data  # the page's full form

    caplog.set_level("INFO", logger="bastion.security")

    data = form_data(require_two_factor="on")
    assert client_for(admin).post(reverse("accounts:organisation_edit", args=[org.slug]), data).status_code == 302
    org.refresh_from_db()
    assert org.require_two_factor
    event = AuditEvent.objects.get(action="accounts.organisation.updated")
    assert event.after["require_two_factor"] is True
    logged = [r for r in caplog.records if r.msg == "two_factor.policy_changed"]
    assert logged[0].actor == "the-admin" and logged[0].required is True


def test_a_password_reset_does_not_skip_the_second_factor(client, member, org, enrolled, sign_in):
    """ASVS 6.4.3: signing in with a new password still asks for the authenticator code."""
    enrolled(member)
    member.set_password("a-Fresh-passphrase")
    member.save()
    sign_in("the-member", "a-Fresh-passphrase")
    assert client.get(reverse("governance:system_list", args=[org.slug]))["Location"].startswith(
        reverse("authn:verify")
    )


def test_anonymous_users_are_sent_to_sign_in(client, db):
    for name in ("overview", "enrol", "verify", "recovery", "codes", "disable", "sessions"):
        response = client.get(reverse(f"authn:{name}"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_the_member_list_shows_who_has_two_factor_sign_in(client_for, admin, member, viewer, org, enrolled):
    enrolled(member)
    org.require_two_factor = True
    org.save()
    enrolled(admin)
    c = _verified_client(client_for, admin)
    rows = {
        m.user.username: m.two_factor
        for m in c.get(reverse("accounts:member_list", args=[org.slug])).context["members"]
    }
    assert rows == {"the-admin": True, "the-member": True, "the-viewer": False}


def test_an_admin_cannot_reset_someone_who_belongs_to_organisations_they_do_not_administer(
    client_for, admin, member, org, enrolled
):
    enrolled(member)
    MembershipFactory(organisation=OrganisationFactory(), user=member, role=Role.VIEWER)
    target = Membership.objects.get(user=member, organisation=org)
    assert client_for(admin).post(reverse("authn_org:member_reset", args=[org.slug, target.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=member).exists()
