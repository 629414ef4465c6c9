"""Signing, retries with backoff, switching off a failing endpoint, and sending once."""

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from webhooks import delivery, events
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tasks import deliver_task

from .factories import make_endpoint


@pytest.fixture
def endpoint(org):
    return make_endpoint(org)


@pytest.fixture
def pending(org, endpoint):
    (made,) = events.emit(org, events.TEST, "test:1", {"hello": "world"}, [endpoint])
    return made


def due_again(d):
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_the_signature_verifies_as_the_docs_say(pending, endpoint, receiver):
    deliver_task(pending.pk)
    (call,) = receiver.calls
    headers, body = call["headers"], call["body"]
    # The receiver's side, as in docs/webhooks.md.
    signed = f"{headers['X-Bastion-Timestamp']}.".encode() + body
    expected = "sha256=" + hmac.new(endpoint.secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["X-Bastion-Signature"])
    payload = json.loads(body)
    assert payload["id"] == headers["X-Bastion-Event-Id"] == str(pending.event_id)
    assert payload["type"] == "webhook.test"
    assert payload["organisation"]["slug"] == endpoint.organisation.slug
    assert payload["data"] == {"hello": "world"}
    assert set(payload) == {"id", "type", "created_at", "organisation", "data"}
    # A changed body or another secret does not verify.
    forged = hmac.new(b"another", signed, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest("sha256=" + forged, headers["X-Bastion-Signature"])


def test_a_delivered_delivery_is_never_sent_again(pending, receiver):
    deliver_task(pending.pk)
    deliver_task(pending.pk)  # the message delivered twice (at least once)
    due_again(pending)
    deliver_task(pending.pk)
    assert len(receiver.calls) == 1
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.DELIVERED and pending.attempts == 1
    assert list(pending.attempt_log.values_list("number", "status_code", "ok")) == [(1, 200, True)]


def test_a_delivery_claimed_by_a_live_attempt_is_not_sent_by_another(pending, receiver):
    assert delivery.claim(pending.pk, timezone.now())
    deliver_task(pending.pk)
    assert receiver.calls == []


def test_a_killed_worker_s_attempt_is_taken_over_when_its_claim_expires(pending, receiver):
    assert delivery.claim(pending.pk, timezone.now())  # the worker died after claiming
    Delivery.objects.filter(pk=pending.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert delivery.due_ids(timezone.now(), grace_seconds=0) == [pending.pk]  # the sweeper finds it
    deliver_task(pending.pk)
    assert len(receiver.calls) == 1
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.DELIVERED
    assert pending.attempts == 2  # the lost attempt counts


def test_the_backoff_schedule_doubles_and_is_capped(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 15
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 1000
    assert [delivery.backoff(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 960, 1000]


def test_a_failed_attempt_is_logged_and_retried_later(pending, receiver, settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 15
    receiver.answers = [500, None]
    before = timezone.now()
    assert delivery.deliver(pending.pk) == 30
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.PENDING
    assert pending.next_attempt_at >= before + dt.timedelta(seconds=30)
    assert delivery.deliver(pending.pk) is None  # not due yet: nothing sent
    due_again(pending)
    assert delivery.deliver(pending.pk) == 60  # the timeout
    due_again(pending)
    assert delivery.deliver(pending.pk) is None  # delivered
    log = list(pending.attempt_log.values_list("number", "status_code", "error", "ok"))
    assert log == [(1, 500, "HTTP 500", False), (2, None, "TimeoutError: timed out", False), (3, 200, "", True)]
    assert len(receiver.calls) == 3
    bodies = {c["body"] for c in receiver.calls}
    assert len(bodies) == 1  # every attempt carries the same body and event id


def test_a_delivery_gives_up_after_the_last_attempt(pending, receiver, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    settings.WEBHOOKS_DISABLE_AFTER = 100
    receiver.answers = [503, 503]
    delivery.deliver(pending.pk)
    due_again(pending)
    assert delivery.deliver(pending.pk) is None
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.FAILED


def test_an_endpoint_failing_n_times_in_a_row_is_switched_off_and_admins_are_told(
    org, endpoint, pending, receiver, settings, client_for, admin
):
    settings.WEBHOOKS_DISABLE_AFTER = 3
    receiver.answers = [500, 500, 500]
    for _ in range(3):
        delivery.deliver(pending.pk)
        due_again(pending)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "3 failed attempts" in endpoint.disabled_reason
    event = AuditEvent.objects.get(action="webhooks.endpoint.disabled")
    assert event.actor is None and event.after["is_active"] is False
    delivery.deliver(pending.pk)
    assert len(receiver.calls) == 3  # nothing more goes to a switched-off endpoint
    page = client_for(admin).get(f"/o/{org.slug}/settings/webhooks/")
    assert "was switched off" in page.content.decode()


def test_a_success_resets_the_failure_count(endpoint, pending, receiver, settings):
    receiver.answers = [500, 200]
    delivery.deliver(pending.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    due_again(pending)
    delivery.deliver(pending.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0
