"""Background jobs of assessments. Tasks take ids and are safe to run twice: the job row is
claimed under a lease (core/jobs.py), and a job whose worker died is taken over."""

from celery import shared_task
from django.db import OperationalError

from core import jobs


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reroute_run_task(self, job_id: int) -> None:
    from .models import RerouteJob
    from .services.routing import reroute_run

    reroute_run(job_id)
    jobs.look_again_later(self, RerouteJob, job_id)
