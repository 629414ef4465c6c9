"""Rate limiting per token: `API_RATE_LIMIT` requests (e.g. "600/min") per token, counted in the
default cache; over it, 429 with `Retry-After`.

A token is counted by its id, so two pipelines with their own tokens never slow each other down;
the docs page's session by its user, anything else (the schema) by the client address. The cache
is per process unless `CACHES` names a shared one (Redis): with several workers, each counts its own.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_RATE_LIMIT", None) or None  # empty: no limit

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return f"throttle:api:{ident}"
