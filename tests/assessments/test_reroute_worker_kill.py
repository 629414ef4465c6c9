"""Issue 9, #1: kill -9 a real worker process mid-job, start another, the job completes once.

The worker is a separate process (tests/workers/slow_reroute_worker.py) on the real broker and
database: CI's Redis and PostgreSQL stage. Leases and the broker's visibility timeout are cut to
two seconds so the whole test takes seconds: the new worker gets the killed worker's unacked
message back from Redis, waits for the dead lease to expire, takes the job over and moves only
the assignments the dead worker had not committed.
"""

import signal

import pytest
from django.conf import settings

from accounts.models import Discipline
from assessments.models import RerouteJob
from assessments.services.routing import reroute_request
from audit.models import AuditEvent
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import ControlFactory, TeamFactory
from tests.waiting import wait_for
from tests.workers.process import worker_starter

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
def start_worker(tmp_path):
    from config.celery import app

    app.control.purge()
    start, stop_all = worker_starter(tmp_path, "tests.workers.slow_reroute_worker", lease=LEASE)
    yield start
    stop_all()


def test_a_job_whose_worker_was_killed_completes_once(start_worker, org, lead, team, system, settings):
    settings.BASTION_JOB_LEASE_SECONDS = int(LEASE)
    elsewhere = TeamFactory(organisation=org, name="Elsewhere", discipline=Discipline.OTHER)
    assignments = [
        ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain="security"), owner_team=elsewhere)
        for _ in range(6)
    ]
    first = start_worker()
    job = reroute_request(actor=lead, organisation=org, assignment_ids=[a.pk for a in assignments])

    assert wait_for(lambda: RerouteJob.objects.get(pk=job.pk).done >= 2, timeout=30), "the worker never started"
    first.send_signal(signal.SIGKILL)
    first.wait()
    job.refresh_from_db()
    assert job.status == "running" and job.done < 6, "the job finished before the kill: slow the worker down"

    start_worker()
    assert wait_for(lambda: RerouteJob.objects.get(pk=job.pk).is_finished, timeout=30), "the job was not taken over"
    job.refresh_from_db()
    assert (job.status, job.done, job.moved, job.attempts) == ("done", 6, 6, 2)
    rerouted = AuditEvent.objects.filter(organisation=org, action="assessments.assignment.rerouted")
    assert sorted(rerouted.values_list("object_id", flat=True)) == sorted(str(a.pk) for a in assignments)
    for assignment in assignments:
        assignment.refresh_from_db()
        assert assignment.owner_team == team and assignment.version == 2
