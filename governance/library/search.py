"""Finding library rows by text and by concern, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Q, QuerySet


def text_search(queryset: QuerySet, text: str, fields: list[str], *, reference: bool = True) -> QuerySet:
    """Rows where every word of `text` appears in one of `fields` (case-insensitive).

    On PostgreSQL, rows that match the words as an English full-text query (so "poisoned"
    finds "poisoning") are found too. The first field is the reference, which full-text
    parsing would split ("PH-01"), so it is only ever matched literally; with
    `reference=False` every field is prose.
    """
    words = text.split()
    if not words:
        return queryset
    literal = reduce(and_, (reduce(or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words))
    prose = fields[1:] if reference else fields
    if connection.vendor != "postgresql" or not prose:
        return queryset.filter(literal)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    vector = SearchVector(*prose, config="english")
    query = SearchQuery(text, search_type="websearch", config="english")
    return queryset.annotate(search_vector=vector).filter(literal | Q(search_vector=query))


def with_concern(queryset: QuerySet, concern: str) -> QuerySet:
    """Rows whose `concerns` JSON list holds `concern`.

    PostgreSQL (and other backends with JSON containment) test the list itself; SQLite stores
    the list as text, where the quoted key cannot match a longer key by accident.
    """
    if connection.features.supports_json_field_contains:
        return queryset.filter(concerns__contains=[concern])
    return queryset.filter(concerns__icontains=f'"{concern}"')
