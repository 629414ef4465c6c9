"""Background jobs of notifications. The daily run is safe to repeat (notifications/services.py)."""

from celery import shared_task
from django.db import OperationalError

from .services import reminders_run


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reminders_run_task() -> None:
    """Daily (beat): today's notifications and e-mail digests."""
    reminders_run()
