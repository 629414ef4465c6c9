"""The re-routing job as a Celery task: called directly, and through a real worker and broker."""

import time

import pytest
from django.conf import settings

from accounts.models import Discipline
from assessments.models import RerouteJob
from assessments.services.routing import reroute_request
from assessments.tasks import reroute_run_task
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import ControlFactory, TeamFactory
from tests.waiting import wait_for


@pytest.fixture
def misrouted_assignment(org, system, team):
    elsewhere = TeamFactory(organisation=org, name="Elsewhere", discipline=Discipline.OTHER)
    return ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain="security"), owner_team=elsewhere)


def test_the_task_moves_what_the_job_lists(org, lead, team, misrouted_assignment):
    job = RerouteJob.objects.create(
        organisation=org, requested_by=lead, assignment_ids=[misrouted_assignment.pk], total=1
    )
    reroute_run_task(job.pk)
    misrouted_assignment.refresh_from_db()
    job.refresh_from_db()
    assert misrouted_assignment.owner_team == team
    assert (job.status, job.done, job.moved, job.percent) == ("done", 1, 1, 100)


def test_a_job_that_fails_says_why(org, lead, misrouted_assignment, monkeypatch):
    from assessments.services import routing

    def broken(*args, **kwargs):
        raise RuntimeError("the routing table is unreadable")

    monkeypatch.setattr(routing, "_move", broken)
    job = RerouteJob.objects.create(
        organisation=org, requested_by=lead, assignment_ids=[misrouted_assignment.pk], total=1
    )
    with pytest.raises(RuntimeError):
        reroute_run_task(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == "the routing table is unreadable"


@pytest.mark.celery_worker
@pytest.mark.skipif(
    not getattr(settings, "CELERY_REAL_WORKER", False),
    reason="needs a real broker: run with CELERY_BROKER_URL=redis://… (CI does)",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_job_once(celery_worker, org, lead, team, misrouted_assignment):
    job = reroute_request(actor=lead, organisation=org, assignment_ids=[misrouted_assignment.pk])  # on commit
    reroute_run_task.delay(job.pk)  # a duplicate delivery
    assert wait_for(lambda: RerouteJob.objects.get(pk=job.pk).is_finished), "the worker did not finish the job"
    time.sleep(0.5)
    misrouted_assignment.refresh_from_db()
    assert misrouted_assignment.owner_team == team and misrouted_assignment.version == 2
