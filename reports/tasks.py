"""Background jobs of reports. Tasks take ids and are safe to run twice: the pack row is claimed
under a lease (core/jobs.py), and a pack whose worker died is taken over."""

from celery import shared_task
from django.db import OperationalError

from core import jobs


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def audit_pack_build_task(self, pack_id: int) -> None:
    from .models import AuditPack
    from .services import pack_build

    pack_build(pack_id)
    jobs.look_again_later(self, AuditPack, pack_id)
