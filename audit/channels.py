"""Through what a change reached Bastion: recorded on every audit event.

`web` for a signed-in browser session, `api` for an API token (the API sets it for its requests),
`system` for background jobs and management commands. A context variable rather than a parameter
of every service: services are the same whichever way they are called, and a Celery task or a
command never runs inside a request's context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

WEB, API, SYSTEM = "web", "api", "system"
CHOICES = [(WEB, "web session"), (API, "API token"), (SYSTEM, "background job or command")]

_current: ContextVar[str] = ContextVar("audit_channel", default=SYSTEM)
# Which API token made the change ("<prefix> <name>"); empty outside token requests.
_token: ContextVar[str] = ContextVar("audit_token", default="")


def current() -> str:
    return _current.get()


def current_token() -> str:
    return _token.get()


@contextmanager
def via(channel: str, token: str = "") -> Iterator[None]:
    reset = _current.set(channel), _token.set(token[:150])
    try:
        yield
    finally:
        _current.reset(reset[0])
        _token.reset(reset[1])


def name_token(label: str) -> None:
    """Inside a `via()` block (which restores the previous value): changes from now on were made
    with the API token `label`, once the request has been authenticated."""
    _token.set(label[:150])


class AuditChannelMiddleware:
    """Every change made while serving a request is recorded as made through the web session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with via(WEB):
            return self.get_response(request)
