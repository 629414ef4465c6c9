"""An organisation's data version, for what is cached under it (computed aggregates, rendered
fragments of pages).

The version is the sequence number of the organisation's audit chain head: every change to the
organisation's governance data is recorded as an audit event in the same transaction, so any
change moves it, and a value cached under the old version is never read again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.paginator import Page
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation
from core.pages import paginate
from core.rendering import filter_bar_html

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
    read rows only to render them, so that on a hit it reads nothing. What is kept must follow
    the rules of `fragment_key`. The cache keeps the value's type,
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
    """What a fragment of one of the organisation's pages, kept with `cached_fragment`, varies on:
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


def kept_template(
    request: HttpRequest,
    org: Organisation,
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    vary: str = "",
    version: int | None = None,
):
    """`template` rendered with `org` and `context()`, kept under the page's `fragment_key`: on a
    hit `context()` is not called, so the part's rows are neither read nor rendered. For a part
    of a page (a report's table, a list's body) that shows every reader the same thing, or as
    many variants as `vary` names (say, whether the reader may decide). The part is rendered
    without the request, so it cannot reach the reader's session, user or CSRF token."""
    key = fragment_key(request, org, version=version)
    return cached_fragment(template, f"{key}|{vary}", lambda: render_to_string(template, {"org": org, **context()}))


@dataclass(frozen=True)
class KeptList:
    """A list page whose rows, row count and filter bar are kept under one `fragment_key`."""

    page: Page  # its rows unread: the view renders them only on a miss
    query: str
    has_rows: bool
    rows_html: Any  # the rows' template output (a safe string), "" without rows
    filter_html: Any  # the filter bar's template output


def kept_list(
    request: HttpRequest,
    org: Organisation,
    name: str,
    filterset,
    render_rows,
    *,
    filter_label,
    version: int | None = None,
    ordered=None,
    per_page: int | None = None,
) -> KeptList:
    """The page of `filterset.qs` (or of `ordered`, the same rows in the page's order) the request
    asks for, with `render_rows(rows)`'s HTML and the filter bar, each kept under the page's
    `fragment_key`: on a hit neither the rows, nor how many there are, nor the filters' choices
    are read. For lists that show every reader the same rows (the inventory, the library); a
    list with variants (tick boxes for those who may change the rows) names each variant."""
    key = fragment_key(request, org, version=version)
    count = lambda: cached_fragment(f"{name}-count", key, filterset.qs.count)  # noqa: E731
    rows = filterset.qs if ordered is None else ordered
    page, query = paginate(request, rows, count=count, read_rows=False, per_page=per_page)
    has_rows = page.paginator.count > 0  # get_page() turns a number past the end into the last page
    return KeptList(
        page=page,
        query=query,
        has_rows=has_rows,
        rows_html=cached_fragment(f"{name}-rows", key, lambda: render_rows(list(page.object_list))) if has_rows else "",
        filter_html=cached_fragment(
            f"{name}-filters", key, lambda: filter_bar_html(filterset.form, clear_url=request.path, label=filter_label)
        ),
    )
