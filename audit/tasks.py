"""Background jobs of the audit trail. Tasks take ids and are safe to run twice: the job row is
claimed under a lease (core/jobs.py), and a job whose worker died is taken over."""

from celery import shared_task
from django.db import OperationalError

from accounts.models import Organisation
from core import jobs

from . import services
from .models import Verification


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def audit_verify_task(self, verification_id: int) -> None:
    services.verification_run(verification_id)
    jobs.look_again_later(self, Verification, verification_id)


@shared_task
def audit_verify_all_task() -> None:
    """Daily (beat): queue a chain check for every organisation."""
    for org in Organisation.objects.all():
        services.verification_request(organisation=org, actor=None)
