"""Security events as structured JSON, on the `bastion.security` logger.

These lines are for the operator's log pipeline and alerting; they are not the audit trail
(which records changes to governance data, per organisation, hash-chained). Each line carries
the event, the actor, the client address, the organisation and the object, in UTC. Values are
JSON-encoded, so a user name with a newline cannot forge a second line.

The middleware keeps the current request in a context variable, so receivers of model signals
(role changes, invitations) can name the actor and address without the view passing them.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from django.http import HttpRequest

from .net import client_ip

logger = logging.getLogger("bastion.security")

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("current_request", default=None)


def _actor(request: HttpRequest | None, user) -> str:
    if user is not None and getattr(user, "pk", None):
        return user.get_username()
    request_user = getattr(request, "user", None) if request is not None else None
    if request_user is not None and request_user.is_authenticated:
        return request_user.get_username()
    return ""


def _organisation(request: HttpRequest | None) -> str:
    match = getattr(request, "resolver_match", None) if request is not None else None
    if match is not None:
        return match.kwargs.get("org_slug", "")
    return ""


def security_event(
    event: str,
    *,
    request: HttpRequest | None = None,
    user=None,
    organisation: str = "",
    obj: str = "",
    level: int = logging.INFO,
    **details: Any,
) -> None:
    """Log one security event. `request` defaults to the request being served, if any."""
    request = request if request is not None else current_request.get()
    logger.log(
        level,
        event,
        extra={
            "actor": _actor(request, user),
            "address": client_ip(request) if request is not None else "",
            "organisation": organisation or _organisation(request),
            "object": obj,
            "path": request.path if request is not None else "",
            **details,
        },
    )
