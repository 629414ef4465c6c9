"""Cursor pagination for every list: one query a page, whatever the page or the list's size.

A page answers `{"next": url|null, "previous": url|null, "results": [...]}`. The cursor is an
opaque token in the `next` and `previous` links; follow them rather than building URLs.
"""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Oldest first, by id: a new record never shifts pages already read."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class BySequence(Cursor):
    """Audit events, newest first by sequence number (keyset on the organisation's chain)."""

    ordering = "-seq"


class NewestFirst(Cursor):
    """Jobs (audit packs): the newest first, as on their page."""

    ordering = "-id"
