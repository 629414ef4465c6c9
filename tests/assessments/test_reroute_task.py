"""The re-routing job as a Celery task: called directly, and through a real worker and broker."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

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


class WorkerKilled(BaseException):
    """Stands for kill -9: nothing in the job catches it, nothing after it runs."""


def test_a_job_whose_worker_died_resumes_and_moves_each_assignment_once(org, lead, team, system, monkeypatch):
    from assessments.services import routing
    from audit.models import AuditEvent

    elsewhere = TeamFactory(organisation=org, name="Elsewhere", discipline=Discipline.OTHER)
    assignments = [
        ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain="security"), owner_team=elsewhere)
        for _ in range(4)
    ]
    monkeypatch.setattr(routing, "REROUTE_CHUNK", 2)
    real_move, calls = routing._move, []

    def dies_in_the_second_chunk(*args):
        calls.append(args[2].pk)
        if len(calls) == 4:
            raise WorkerKilled
        return real_move(*args)

    monkeypatch.setattr(routing, "_move", dies_in_the_second_chunk)
    job = RerouteJob.objects.create(
        organisation=org, requested_by=lead, assignment_ids=[a.pk for a in assignments], total=4
    )
    with pytest.raises(WorkerKilled):
        reroute_run_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.moved) == ("running", 2, 2)  # the second chunk rolled back

    reroute_run_task(job.pk)  # redelivered while the lease is live: nothing happens
    assert RerouteJob.objects.get(pk=job.pk).attempts == 1
    RerouteJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    reroute_run_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.moved, job.attempts) == ("done", 4, 4, 2)
    assert calls[4:] == [a.pk for a in assignments[2:]]  # resumed after the committed chunk
    for assignment in assignments:
        assignment.refresh_from_db()
        assert assignment.owner_team == team and assignment.version == 2
    events = AuditEvent.objects.filter(organisation=org, action="assessments.assignment.rerouted")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(a.pk) for a in assignments)


def test_a_second_job_is_refused_while_one_is_active(org, lead, misrouted_assignment):
    reroute_request(actor=lead, organisation=org, assignment_ids=[misrouted_assignment.pk])
    with pytest.raises(ValidationError):
        reroute_request(actor=lead, organisation=org, assignment_ids=[misrouted_assignment.pk])
    assert RerouteJob.objects.filter(organisation=org).count() == 1


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
