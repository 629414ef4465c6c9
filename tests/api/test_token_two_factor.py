"""An organisation that requires two-factor sign-in requires it of API tokens that change data:
creating one needs an authenticator set up, and a token whose person has none is refused (a token
must not be a way around the sign-in policy). Read-only tokens and service tokens are unaffected."""

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from api.tokens import service_token_create, token_create
from tests.api.test_resources import error_of, url


@pytest.fixture
def strict(org):
    org.require_two_factor = True
    org.save(update_fields=["require_two_factor"])
    return org


def enrol(user):
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_a_write_token_needs_an_authenticator(strict, make_member):
    member = make_member(Role.MEMBER, "no-2fa")
    with pytest.raises(ValidationError) as exc:
        token_create(user=member, name="ci", expires_at=None, organisation=strict)
    assert "two-factor" in str(exc.value)
    token_create(user=member, name="reader", expires_at=None, organisation=strict, role=Role.VIEWER)  # read-only
    enrol(member)
    token_create(user=member, name="ci", expires_at=None, organisation=strict)


def test_a_service_token_needs_an_admin_with_an_authenticator(strict, make_member, team):
    admin = make_member(Role.ADMIN, "admin-no-2fa")
    membership = admin.memberships.get(organisation=strict)
    with pytest.raises(ValidationError):
        service_token_create(membership=membership, team=team, name="ci", role=Role.MEMBER, expires_at=None)
    enrol(admin)
    token, _raw = service_token_create(membership=membership, team=team, name="ci", role=Role.MEMBER, expires_at=None)
    assert token.is_service


def test_an_older_write_token_is_refused_until_its_person_sets_up_an_authenticator(api_for, org, make_member):
    member = make_member(Role.MEMBER, "made-before")
    api = api_for(member)  # created before the organisation required two-factor sign-in
    reader = api_for(member, role=Role.VIEWER)
    org.require_two_factor = True
    org.save(update_fields=["require_two_factor"])
    answer = api.get(url("system_list", org))
    assert answer.status_code == 403 and "two-factor" in error_of(answer)["message"]
    assert reader.get(url("system_list", org)).status_code == 200  # a read-only token still reads
    enrol(member)
    assert api.get(url("system_list", org)).status_code == 200
