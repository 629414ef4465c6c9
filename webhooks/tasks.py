"""Background jobs of webhooks. Tasks take ids and are safe to run twice (webhooks/delivery.py)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import delivery, events


def queue(ids: list[int]) -> None:
    for pk in ids:
        deliver_task.delay(pk)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_task(self, delivery_id: int) -> None:
    wait = delivery.deliver(delivery_id)
    if wait is not None and not self.request.is_eager:
        deliver_task.apply_async((delivery_id,), countdown=wait)


@shared_task
def sweep_task() -> None:
    """Every few minutes (beat): queue deliveries whose attempt is late."""
    queue(delivery.due_ids(timezone.now()))


@shared_task
def overdue_task() -> None:
    """Daily (beat): `assignment.overdue` events."""
    events.overdue_scan()


@shared_task
def readiness_task() -> None:
    """Every few hours (beat): `readiness.changed` events."""
    events.readiness_scan()
