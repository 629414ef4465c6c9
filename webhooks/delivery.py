"""Sending one delivery: sign, POST, log the attempt, schedule the next or give up.

At least once, never twice after success: an attempt first claims the delivery with one
conditional UPDATE (pending, due, not claimed by a live attempt, endpoint active), so two
workers running the same task send once, and a delivered delivery is never sent again. A worker
killed mid-attempt leaves a claim that expires; the message comes back (late acks) or the
sweeper re-queues it, and the delivery is sent again with the same event id (receivers
deduplicate by it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.jobs import lease_seconds

from . import net
from .models import Attempt, Delivery, DeliveryStatus, Endpoint


def setting(name: str) -> int:
    defaults = {
        "WEBHOOKS_MAX_ATTEMPTS": 8,
        "WEBHOOKS_DISABLE_AFTER": 8,
        "WEBHOOKS_RETRY_BASE_SECONDS": 15,
        "WEBHOOKS_RETRY_MAX_SECONDS": 6 * 60 * 60,
    }
    return int(getattr(settings, name, defaults[name]))


def backoff(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, …): base × 2^attempt, capped."""
    return min(setting("WEBHOOKS_RETRY_BASE_SECONDS") * 2**attempt, setting("WEBHOOKS_RETRY_MAX_SECONDS"))


def encode(payload: dict) -> bytes:
    """The body bytes: the same for every attempt of a delivery."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def headers(delivery: Delivery, secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "X-Bastion-Event-Id": str(delivery.event_id),
        "X-Bastion-Event-Type": delivery.event_type,
        "X-Bastion-Timestamp": str(timestamp),
        "X-Bastion-Signature": sign(secret, timestamp, body),
    }


def due(now: dt.datetime) -> Q:
    return (
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
        & Q(endpoint__retired_at__isnull=True)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def claim(delivery_id: int, now: dt.datetime) -> bool:
    """Claim the attempt for one job lease (core.jobs: `BASTION_JOB_LEASE_SECONDS`, a minute by
    default): a worker killed mid-attempt leaves a claim that expires, and the attempt is made again."""
    claimed = Delivery.objects.filter(due(now), pk=delivery_id).update(
        claimed_until=now + dt.timedelta(seconds=lease_seconds()), attempts=F("attempts") + 1
    )
    return bool(claimed)


def _held_for(delivery_id: int, now: dt.datetime) -> int | None:
    """Seconds until another worker's claim on a pending delivery expires (None: no live claim)."""
    until = (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, claimed_until__gt=now)
        .values_list("claimed_until", flat=True)
        .first()
    )
    return None if until is None else int((until - now).total_seconds()) + 1


def deliver(delivery_id: int) -> int | None:
    """Make one attempt if the delivery is due; the seconds until the next attempt, or None.

    A message redelivered while a claim still holds (its worker may have died mid-attempt) answers
    the seconds until the claim expires, so the task looks again then instead of dropping it."""
    now = timezone.now()
    if not claim(delivery_id, now):
        return _held_for(delivery_id, now)
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = encode(delivery.payload)
    timestamp = int(now.timestamp())
    answer = net.post(endpoint.url, body, headers(delivery, endpoint.secret, timestamp, body))
    return _record(delivery, endpoint, answer, now)


def _record(delivery: Delivery, endpoint: Endpoint, answer: net.Response, now: dt.datetime) -> int | None:
    error = answer.error or ("" if answer.ok else f"HTTP {answer.status_code}")
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            duration_ms=answer.duration_ms,
            status_code=answer.status_code,
            error=error[:300],
            ok=answer.ok,
        )
        if answer.ok:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), claimed_until=None
            )
            Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return None
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        failures = Endpoint.objects.values_list("consecutive_failures", flat=True).get(pk=endpoint.pk)
        wait: int | None = backoff(delivery.attempts)
        if delivery.attempts >= setting("WEBHOOKS_MAX_ATTEMPTS"):
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, claimed_until=None)
            wait = None
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=now + dt.timedelta(seconds=wait or 0), claimed_until=None
            )
        if failures >= setting("WEBHOOKS_DISABLE_AFTER"):
            from .services import endpoint_disable_after_failures

            endpoint_disable_after_failures(endpoint.pk, failures=failures, last_error=error)
            wait = None
    return wait


def due_ids(now: dt.datetime, *, grace_seconds: int = 120, limit: int = 500) -> list[int]:
    """Pending deliveries whose attempt is late (a lost message, an endpoint enabled again)."""
    late = now - dt.timedelta(seconds=grace_seconds)
    return list(
        Delivery.objects.filter(due(now), next_attempt_at__lte=late)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
