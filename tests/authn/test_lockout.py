"""Finding 6 of issue 9: a stranger must not be able to lock a user out.

Behind the TLS proxy every request arrives from the proxy's address; before the fix Bastion
locked (username, proxy address), so ten wrong passwords from anywhere locked the victim out.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from authn.net import client_ip

from .conftest import totp_code

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"


def via_proxy(address):
    """A request the proxy forwarded for a client at `address` (it appends what it saw)."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def fail_until_locked(sign_in, settings, address):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("the-member", "wrong", **via_proxy(address))


def test_a_stranger_cannot_lock_the_victim_out(client, member, sign_in, settings, behind_one_proxy):
    fail_until_locked(sign_in, settings, ATTACKER)
    assert sign_in("the-member", "password", **via_proxy(ATTACKER)).status_code == 429  # the pair is locked
    response = sign_in("the-member", "password", **via_proxy(VICTIM))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_the_victim_with_two_factor_gets_through_too(
    client, member, org, sign_in, settings, enrolled, behind_one_proxy
):
    device, _ = enrolled(member)
    fail_until_locked(sign_in, settings, ATTACKER)
    assert sign_in("the-member", "password", **via_proxy(VICTIM)).status_code == 302
    ok = client.post(reverse("authn:verify"), {"code": totp_code(device, 1)}, **via_proxy(VICTIM))
    assert ok.status_code == 302
    assert client.get(reverse("governance:system_list", args=[org.slug]), **via_proxy(VICTIM)).status_code == 200


def test_a_forged_header_does_not_escape_the_lock(member, sign_in, settings, behind_one_proxy):
    """Entries a client writes itself come before the proxy's and are ignored."""
    fail_until_locked(sign_in, settings, ATTACKER)
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{VICTIM}, {ATTACKER}"}
    assert sign_in("the-member", "password", **forged).status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(member, sign_in, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("the-member", "wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    assert sign_in("the-member", "password", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM).status_code == 429
    assert sign_in("the-member", "password", REMOTE_ADDR=VICTIM).status_code == 302


@pytest.mark.parametrize(
    "count,remote,forwarded,expected",
    [
        (0, "192.0.2.1", "198.51.100.7", "192.0.2.1"),
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "10.0.0.3", "1.2.3.4, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.3", "198.51.100.7", "10.0.0.3"),  # fewer entries than proxies
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        (1, "10.0.0.2", "198.51.100.7:5555", "198.51.100.7"),
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "garbage", "x" * 10_000, "0.0.0.0"),
    ],
)
def test_client_ip(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
