"""No server-side request forgery: internal targets are refused when saved and when sent to."""

import pytest
from django.core.exceptions import ValidationError

from webhooks import events, net, services
from webhooks.models import Delivery, DeliveryStatus

from .factories import make_endpoint

INTERNAL = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
]


@pytest.mark.parametrize("address", INTERNAL)
def test_a_name_resolving_to_an_internal_address_is_refused_at_registration(resolve_to, address, org, admin):
    resolve_to.addresses = [address]
    with pytest.raises(ValidationError) as exc:
        services.endpoint_create(
            actor=admin, organisation=org, url="https://hooks.example.com/", description="", event_types=[]
        )
    assert "internal address" in str(exc.value)


@pytest.mark.parametrize(
    ("url", "address"),
    [("https://127.0.0.1/x", "127.0.0.1"), ("https://[::1]/x", "::1"), ("https://10.0.0.5:8443/", "10.0.0.5")],
)
def test_literal_internal_addresses_are_refused(resolve_to, url, address):
    resolve_to.addresses = [address]
    with pytest.raises(net.TargetRefused):
        net.check_url(url)


def test_one_internal_address_among_public_ones_is_enough_to_refuse(resolve_to):
    resolve_to.addresses = ["93.184.216.34", "10.0.0.1"]
    with pytest.raises(net.TargetRefused):
        net.check_url("https://mixed.example.com/")


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/", "https:///x"]
)
def test_plain_http_other_schemes_credentials_and_no_host_are_refused(url):
    with pytest.raises(net.TargetRefused):
        net.check_url(url)


def test_settings_can_allow_http_and_private_targets(resolve_to, settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    resolve_to.addresses = ["10.0.0.7"]
    target = net.check_url("http://ci.internal:8080/hook?x=1")
    assert (target.address, target.port, target.path) == ("10.0.0.7", 8080, "/hook?x=1")


def test_a_public_name_is_accepted_and_pinned(resolve_to):
    target = net.check_url("https://hooks.example.com/bastion")
    assert target.address == "93.184.216.34" and target.host == "hooks.example.com"


def test_a_name_that_turns_internal_after_registration_is_refused_at_delivery(resolve_to, org):
    endpoint = make_endpoint(org)
    (delivery,) = events.emit(org, events.TEST, "test:x", {}, [endpoint])
    resolve_to.addresses = ["169.254.169.254"]  # DNS now points at the metadata service
    from webhooks.delivery import deliver

    deliver(delivery.pk)  # the real sender: it must refuse before connecting (connections raise here)
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and attempt.error.startswith("refused:")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and Delivery.objects.count() == 1


def test_an_unresolvable_name_is_refused(monkeypatch):
    import socket

    def fail(*args, **kwargs):
        raise socket.gaierror("no such name")

    monkeypatch.setattr(net.socket, "getaddrinfo", fail)
    with pytest.raises(net.TargetRefused):
        net.check_url("https://nowhere.example.com/")
