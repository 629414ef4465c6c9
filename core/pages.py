"""Page helpers every list shares: one page-size policy, numbered pages and keyset pages.

Lists a person pages through (inventory, library, work, assessments) use numbered pages; the
audit trail, which grows without bound, uses keyset pages (`seq < cursor`), whose cost does not
grow with how deep the reader goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

# One policy: fifty rows a page, everywhere.
PAGE_SIZE = 50


def _query_without(request: HttpRequest, name: str) -> str:
    """The current filters and sort, to carry into the next page's link."""
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()


class _Counted:
    """A queryset whose row count comes from a cheaper query (the paginator's `count()`)."""

    def __init__(self, queryset: QuerySet, count: Callable[[], int]):
        self.queryset, self._count, self.ordered = queryset, count, queryset.ordered

    def count(self) -> int:
        return self._count()

    def __getitem__(self, index):
        return self.queryset[index]


def paginate(
    request: HttpRequest,
    queryset: QuerySet | list,
    *,
    per_page: int | None = None,
    count: Callable[[], int] | None = None,
    read_rows: bool = True,
) -> tuple[Page, str]:
    """The requested page (a bad or too-large number gives the nearest page) and the query string
    that keeps the filters on the other pages' links. `count`, if given, counts the rows instead of
    `queryset.count()` (a query an index can answer alone). With `read_rows=False` the page's rows
    stay an unread queryset, for a view that may not need them (its rows' HTML is kept)."""
    rows: Any = _Counted(queryset, count) if count is not None and isinstance(queryset, QuerySet) else queryset
    page = Paginator(rows, per_page or PAGE_SIZE).get_page(request.GET.get("page"))
    # The rows are read here, in the view: a template must not run queries while it renders
    # (tests/test_query_scaling.py).
    if read_rows:
        page.object_list = list(page.object_list)
    return page, _query_without(request, "page")


@dataclass
class KeysetPage:
    rows: list[Any]
    older_cursor: int | None  # pass as ?before= for the next (older) page
    is_first: bool
    query: str


def keyset_page(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    key: str = "seq",
    per_page: int | None = None,
    order: list[str] | None = None,
) -> KeysetPage:
    """Newest first by `key`, `per_page` rows older than `?before=` (one query, fetched +1 to know
    whether there is more). `order` may name an index-friendlier order that sorts the same way
    (the audit trail by time within a date range)."""
    try:
        before = int(request.GET["before"])
    except (KeyError, ValueError):
        before = None
    if before is not None:
        queryset = queryset.filter(**{f"{key}__lt": before})
    per_page = per_page or PAGE_SIZE
    rows = list(queryset.order_by(*(order or [f"-{key}"]))[: per_page + 1])
    has_older = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        rows=rows,
        older_cursor=getattr(rows[-1], key) if has_older else None,
        is_first=before is None,
        query=_query_without(request, "before"),
    )
