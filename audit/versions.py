"""An organisation's data version, for what is cached under it (computed aggregates, rendered
fragments of pages).

The version is the sequence number of the organisation's audit chain head: every change to the
organisation's governance data is recorded as an audit event in the same transaction, so any
change moves it, and a value cached under the old version is never read again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation

from .models import ChainHead

Fragment = TypeVar("Fragment")  # a SafeString, or a value holding some


def data_version(org: Organisation) -> int:
    """The sequence number of the organisation's chain head (one query); 0 before any event."""
    return ChainHead.objects.filter(organisation=org).values_list("seq", flat=True).first() or 0


def cached_for_org(org: Organisation, name: str, compute, *, per_language: bool = False, version: int | None = None):
    """`compute()`, kept in the cache under the organisation's data version and today's date
    (values that depend on the day, such as what is overdue, turn over at midnight), and under
    the active language when `per_language` (values holding translated phrases). A view that
    keeps several things passes the `version` it read once."""
    if per_language:
        name = f"{name}:{get_language()}"
    version = data_version(org) if version is None else version
    return _kept(f"{name}:{org.pk}:{version}:{timezone.localdate().isoformat()}", compute)


def cached_fragment(name: str, key: str, render: Callable[[], Fragment]) -> Fragment:
    """HTML made by `render()` (a template's output, escaped by it), or a small value holding
    such HTML or what it shows (a row count), kept under `key` (from `fragment_key`): for a view that would
    read rows only to render them, so that on a hit it reads nothing. The same rules as
    `{% cache %}` under `fragment_key` apply to what is kept. The cache keeps the value's type,
    so what comes back is the template's own safe string."""
    return _kept(f"fragment:{name}:{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}", render)


def _kept(key: str, compute):
    """The cached value under `key`, else `compute()`'s, kept for a day (the keys name the day)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 24 * 3600)
    return value


def fragment_key(request: HttpRequest, org: Organisation, *, version: int | None = None) -> str:
    """What a fragment of one of the organisation's pages, cached with `{% cache %}`, varies on:
    the data version, today, the language and time zone it is rendered in, and the page's path
    and query (filters, sort, page). Read in the view (one query, none if the view passes the
    `version` it read for other kept values), never while rendering.

    Only for fragments that show every reader of the page the same thing: no per-user data, no
    form with a CSRF token, nothing that changes without an audited change. People's names and
    the built-in library are shared by organisations, and their changes are recorded in each
    organisation that shows them (accounts.services.person_update, a library release)."""
    return "|".join(
        (
            str(org.pk),
            str(data_version(org) if version is None else version),
            timezone.localdate().isoformat(),
            get_language() or "",
            timezone.get_current_timezone_name(),
            request.get_full_path(),
        )
    )
