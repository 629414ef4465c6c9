"""The chain check through a real Celery worker and broker (Redis in CI).

On the embedded default (SQLite in memory, eager tasks) a worker thread cannot see the test
database, so these run only when CELERY_BROKER_URL names a real broker; CI runs them there.
"""

import time

import pytest
from django.conf import settings
from django.db import transaction

from audit.models import Verification
from audit.services import record, verification_request
from tests.factories import AISystemFactory
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not getattr(settings, "CELERY_REAL_WORKER", False),
        reason="needs a real broker: run with CELERY_BROKER_URL=redis://… (CI does)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_a_queued_check_is_run_by_the_worker(celery_worker, org, admin):
    system = AISystemFactory(organisation=org)
    with transaction.atomic():
        for i in range(3):
            record(organisation=org, actor=admin, action="test.changed", obj=system, after={"n": i})
    job = verification_request(organisation=org, actor=admin)  # enqueued on commit
    assert wait_for(lambda: Verification.objects.get(pk=job.pk).is_done), "the worker did not finish the job"
    job.refresh_from_db()
    assert job.status == Verification.Status.PASSED
    assert job.events_checked == 3


def test_a_duplicate_delivery_does_not_run_the_job_twice(celery_worker, org, admin):
    from audit.tasks import audit_verify_task

    job = Verification.objects.create(organisation=org)
    audit_verify_task.delay(job.pk)
    audit_verify_task.delay(job.pk)
    assert wait_for(lambda: Verification.objects.get(pk=job.pk).is_done)
    time.sleep(0.5)
    job.refresh_from_db()
    assert job.status == Verification.Status.PASSED
