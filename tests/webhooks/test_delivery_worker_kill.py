"""Issue 15: a worker killed after sending an event but before recording it: another worker sends
the event again, with the same id, and records it once; the receiver, idempotent by event id,
handles it once (delivery is at least once).

The worker is a separate process (tests/workers/slow_webhook_worker.py, recording slowed down) on
the real broker and database: CI's Redis and PostgreSQL stage. Leases (the claim of an attempt) and
the broker's visibility timeout are two seconds, so the test takes seconds. The receiver is a small
HTTP server in this process.
"""

import hashlib
import hmac
import http.server
import signal
import threading

import pytest
from django.conf import settings
from django.db import transaction

from tests.waiting import wait_for
from tests.workers.process import worker_starter
from webhooks import events
from webhooks.models import Delivery, DeliveryStatus

from .factories import make_endpoint

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not getattr(settings, "CELERY_REAL_WORKER", False),
        reason="needs a real broker: run with CELERY_BROKER_URL=redis://… (CI does)",
    ),
    pytest.mark.django_db(transaction=True),
]

LEASE = "2"


@pytest.fixture
def _deliver_in_process():
    """Overrides the package's autouse fixture: here a real worker process delivers."""


@pytest.fixture
def resolve_to():
    """Overrides the package's autouse fake resolver: the broker and the receiver are real."""


class Receiver(http.server.ThreadingHTTPServer):
    """A subscriber: keeps every request, and handles each event id once."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict] = []
        self.handled: dict[str, bytes] = {}
        self.lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        event_id = self.headers["X-Bastion-Event-Id"]
        with self.server.lock:
            self.server.requests.append({"headers": dict(self.headers), "body": body})
            self.server.handled.setdefault(event_id, body)  # consumer-side idempotency: once per id
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def start_worker(tmp_path):
    from config.celery import app

    app.control.purge()
    env = {"WEBHOOKS_ALLOW_HTTP": "true", "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true", "SLOW_RECORD_SECONDS": "3"}
    start, stop_all = worker_starter(tmp_path, "tests.workers.slow_webhook_worker", lease=LEASE, env=env)
    yield start
    stop_all()


def test_an_event_whose_worker_was_killed_is_delivered_again_with_the_same_id(start_worker, receiver, org):
    port = receiver.server_address[1]
    endpoint = make_endpoint(org, url=f"http://127.0.0.1:{port}/bastion", event_types=["assessment.approved"])
    first = start_worker()
    with transaction.atomic():  # queued when this commits, as after any change
        (made,) = events.emit(org, "assessment.approved", "test:kill", {"assessment": {"id": 1}}, [endpoint])

    assert wait_for(lambda: len(receiver.requests) == 1, timeout=30), "the first worker never sent the event"
    first.send_signal(signal.SIGKILL)  # sent, not yet recorded
    first.wait()
    assert Delivery.objects.get(pk=made.pk).status == DeliveryStatus.PENDING

    start_worker()
    assert wait_for(lambda: Delivery.objects.get(pk=made.pk).status == DeliveryStatus.DELIVERED, timeout=40), (
        "the event was not delivered again"
    )
    delivered = Delivery.objects.get(pk=made.pk)
    assert delivered.attempts == 2 and list(delivered.attempt_log.values_list("number", "ok")) == [(2, True)]
    assert len(receiver.requests) == 2  # at least once: the receiver saw it twice…
    ids = {r["headers"]["X-Bastion-Event-Id"] for r in receiver.requests}
    assert ids == {str(made.event_id)} and len(receiver.handled) == 1  # …and handled it once, by its id
    for request in receiver.requests:  # both attempts are signed with the endpoint's secret
        headers = request["headers"]
        signed = f"{headers['X-Bastion-Timestamp']}.".encode() + request["body"]
        expected = "sha256=" + hmac.new(endpoint.secret.encode(), signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, headers["X-Bastion-Signature"])
