"""Background jobs of assessments. Tasks take ids and are safe to run twice."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reroute_run_task(job_id: int) -> None:
    from .services.routing import reroute_run

    reroute_run(job_id)
