"""No test here touches the network: names resolve through `resolve_to`, and HTTP calls go to an
in-process receiver (`receiver`)."""

import socket
from dataclasses import dataclass, field

import pytest

from webhooks import net

PUBLIC = "93.184.216.34"


@pytest.fixture(autouse=True)
def resolve_to(monkeypatch):
    """Every name resolves to the addresses in `resolve_to.addresses` (a public one by default)."""

    class Resolver:
        addresses = [PUBLIC]

        def __call__(self, host, port, *args, **kwargs):
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in self.addresses
            ]

    resolver = Resolver()
    monkeypatch.setattr(net.socket, "getaddrinfo", resolver)

    def no_connections(*args, **kwargs):
        raise AssertionError("tests must not open connections")

    monkeypatch.setattr(net.socket, "create_connection", no_connections)
    return resolver


@dataclass
class Receiver:
    answers: list = field(default_factory=list)  # status codes (or None for a timeout) to give, in turn
    calls: list = field(default_factory=list)

    def __call__(self, url, body, headers, *, timeout=net.TIMEOUT_SECONDS):
        self.calls.append({"url": url, "body": body, "headers": headers})
        code = self.answers.pop(0) if self.answers else 200
        if code is None:
            return net.Response(None, "TimeoutError: timed out", 5000)
        return net.Response(code, "", 12)


@pytest.fixture
def receiver(monkeypatch):
    r = Receiver()
    monkeypatch.setattr(net, "post", r)
    return r


@pytest.fixture(autouse=True)
def _deliver_in_process(eager_tasks):
    """Deliveries run in the test's process, also in CI's stage with a real broker (no worker
    there takes webhook tasks; the tests check what the task does, not the broker)."""
