"""Request parsers that fail with a 400, never a 500, whatever the body."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 20  # no request of the API nests deeper than a few levels


def depth(value, limit: int) -> int:
    """Nesting depth of a JSON value, iteratively (no recursion to exhaust), stopping past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class JSONParser(parsers.JSONParser):
    """JSON bodies: UTF-8, at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes, an object at the top, at most
    MAX_DEPTH levels deep (a body of 100 000 `[` exhausts Python's recursion otherwise)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("The body is larger than %(n)d bytes.") % {"n": limit})
        if not raw:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("The body is not valid JSON: %(why)s") % {"why": str(exc)[:200]}) from None
        if not isinstance(data, dict):
            raise ParseError(_("The body must be a JSON object."))
        if depth(data, MAX_DEPTH) > MAX_DEPTH:
            raise ParseError(_("The body nests deeper than %(n)d levels.") % {"n": MAX_DEPTH})
        return data
