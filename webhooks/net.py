"""Where a webhook may go, and the one HTTP call that goes there (no server-side request forgery).

A target URL must be https (http only with `WEBHOOKS_ALLOW_HTTP`), carry no credentials, and
its host must resolve only to global addresses: loopback, link-local, private, shared,
multicast, reserved and unspecified addresses are refused unless `WEBHOOKS_ALLOW_PRIVATE_TARGETS`
is on. The rule is checked when an endpoint is saved and again at every delivery, and the
delivery connects to the very address it checked (a name that re-resolves to an internal
address between the check and the connection cannot slip through). Redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 5
USER_AGENT = "Bastion-Webhooks/1"


class TargetRefused(Exception):
    """The URL may not be called; the message says why, for the admin."""


def _allowed_schemes() -> set[str]:
    return {"https", "http"} if getattr(settings, "WEBHOOKS_ALLOW_HTTP", False) else {"https"}


def address_is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_private or ip.is_loopback)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


def check_url(url: str) -> Target:
    """The target `url` names, resolved and checked; TargetRefused if it may not be called."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in _allowed_schemes():
        raise TargetRefused(_("Webhook URLs must start with https://."))
    if parts.username or parts.password:
        raise TargetRefused(_("Leave credentials out of the URL."))
    host = parts.hostname
    if not host:
        raise TargetRefused(_("The URL names no host."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise TargetRefused(_("The host %(host)s cannot be resolved.") % {"host": host}) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise TargetRefused(_("The host %(host)s cannot be resolved.") % {"host": host})
    if not getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False):
        for address in addresses:
            if not address_is_public(address):
                raise TargetRefused(
                    _(
                        "The host %(host)s resolves to %(address)s, an internal address: "
                        "webhooks go to public hosts only."
                    )
                    % {"host": host, "address": address}
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, addresses[0])


@dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address, while TLS still verifies the certificate of the host name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT_SECONDS) -> Response:
    """POST `body` to `url` once: checked, pinned to the checked address, no redirects followed
    (a 3xx is an answer like any other, and not a success). Never raises."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = check_url(url)
    except TargetRefused as exc:
        return Response(None, f"refused: {exc}"[:300], took())
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target, timeout)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        answer = connection.getresponse()
        answer.read(64 * 1024)
        return Response(answer.status, "", took())
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return Response(None, f"{type(exc).__name__}: {exc}"[:300], took())
    finally:
        connection.close()
