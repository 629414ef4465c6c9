"""The client's address, as far as Bastion can trust it.

Without a proxy the address is the connection's (`REMOTE_ADDR`). Behind `TRUSTED_PROXY_COUNT`
proxies that each append the address they saw to `X-Forwarded-For`, the client is the entry the
outermost trusted proxy appended: the N-th from the right. Entries further left were written by
the client and are ignored, so nobody can choose the address they are locked out or logged under.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[v6]:port"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "v4:port"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client address for lockouts and logs (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104  # nosec B104 (a value, not a bind)
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return _valid(forwarded[-count]) or remote
