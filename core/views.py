"""Views that belong to no app: the health check."""

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not reachable"; the message says which
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            # One retry, at once, for a dropped connection; kombu's default pause before it (2 s)
            # would hold the load balancer's probe past its own timeout when the broker is down.
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            # A channel proves the broker answers, not only that a socket opened.
            conn.default_channel  # noqa: B018
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Load-balancer probe: 200 when the database and the broker answer, 503 naming what failed.

    Anyone may call it, so the answer says only which component is failing; the driver's message
    (with internal hosts and ports) goes to the log.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    for name, error in checks.items():
        if error:
            logger.error("health check: %s failing: %s", name, error)
    body: dict[str, Any] = {name: {"ok": error is None} for name, error in checks.items()}
    failing = [name for name, error in checks.items() if error]
    body["status"] = "ok" if not failing else "unavailable: " + ", ".join(failing)
    return JsonResponse(body, status=503 if failing else 200)
