"""Leased jobs (core/jobs.py): claiming, heartbeats, taking over a lost worker's job, the sweeper,
and one active job per organisation. The chain check's job model stands in for any job."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Verification
from audit.services import verification_request
from core import jobs
from tests.factories import OrganisationFactory


def expire(job):
    Verification.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))


def test_a_queued_job_is_claimed_once(org):
    job = Verification.objects.create(organisation=org)
    claimed = jobs.claim(Verification, job.pk)
    assert claimed.status == "running" and claimed.attempts == 1
    assert claimed.lease_expires_at > timezone.now()
    assert jobs.claim(Verification, job.pk) is None  # a duplicate delivery while the lease is live


def test_a_running_job_whose_lease_expired_is_taken_over(org):
    job = Verification.objects.create(organisation=org)
    first = jobs.claim(Verification, job.pk)
    expire(job)
    second = jobs.claim(Verification, job.pk)
    assert second is not None and second.attempts == 2
    # The first worker, if it wakes up, can neither beat nor finish any more.
    with pytest.raises(jobs.LeaseLost):
        jobs.heartbeat(first, events_checked=5)
    assert not jobs.finish(first, status="passed")
    assert jobs.finish(second, status="passed")
    assert Verification.objects.get(pk=job.pk).status == "passed"


def test_a_job_running_before_leases_existed_is_taken_over(org):
    job = Verification.objects.create(organisation=org, status="running", lease_expires_at=None)
    assert jobs.claim(Verification, job.pk) is not None


def test_a_heartbeat_extends_the_lease_and_stores_progress(org, settings):
    settings.BASTION_JOB_LEASE_SECONDS = 120
    job = jobs.claim(Verification, Verification.objects.create(organisation=org).pk)
    Verification.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() + dt.timedelta(seconds=1))
    jobs.heartbeat(job, events_checked=7)
    job.refresh_from_db()
    assert job.events_checked == 7
    assert job.lease_expires_at > timezone.now() + dt.timedelta(seconds=100)


def test_a_job_that_keeps_losing_its_worker_fails_after_the_last_attempt(org):
    job = Verification.objects.create(organisation=org, status="running", attempts=jobs.MAX_ATTEMPTS)
    assert jobs.claim(Verification, job.pk) is None
    job.refresh_from_db()
    assert job.status == "failed" and "attempts" in job.message and job.finished_at


def test_finished_jobs_are_never_claimed(org):
    job = Verification.objects.create(organisation=org, status="passed")
    assert jobs.claim(Verification, job.pk) is None


def test_the_sweeper_sends_again_a_job_whose_worker_was_lost(org, eager_tasks):
    job = jobs.claim(Verification, Verification.objects.create(organisation=org).pk)
    live = Verification.objects.create(organisation=OrganisationFactory())
    jobs.claim(Verification, live.pk)
    assert jobs.sweep() == 0  # leases are live
    expire(job)
    assert jobs.sweep() == 1  # sends audit_verify_task, run eagerly here
    job.refresh_from_db()
    assert job.status == "passed" and job.attempts == 2
    assert Verification.objects.get(pk=live.pk).status == "running"


def test_the_sweeper_sends_again_a_queued_job_whose_message_was_lost(org, eager_tasks):
    job = Verification.objects.create(organisation=org, lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert jobs.sweep() == 1
    assert Verification.objects.get(pk=job.pk).status == "passed"


def test_the_database_allows_one_active_job_per_organisation(org):
    Verification.objects.create(organisation=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Verification.objects.create(organisation=org, status="running")
    Verification.objects.create(organisation=org, status="passed")  # finished ones are not limited
    Verification.objects.create(organisation=OrganisationFactory())  # nor other organisations


class MissesOnce:
    """A queryset whose first `.first()` finds nothing: what the concurrent request saw."""

    def __init__(self, queryset):
        self.queryset, self.calls = queryset, 0

    def filter(self, *args, **kwargs):
        self.queryset = self.queryset.filter(*args, **kwargs)
        return self

    def first(self):
        self.calls += 1
        return None if self.calls == 1 else self.queryset.first()


def test_a_concurrent_request_gets_the_job_the_other_created(org, admin):
    first = verification_request(organisation=org, actor=admin)
    job, created = jobs.create_or_active(
        Verification, active=MissesOnce(org.audit_verifications.all()), organisation=org, requested_by=admin
    )
    assert (job, created) == (first, False)
    assert Verification.objects.filter(organisation=org).count() == 1


def test_working_fails_the_job_on_an_error_and_requeues_it_on_a_transient_one(org):
    from django.db import OperationalError

    job = jobs.claim(Verification, Verification.objects.create(organisation=org).pk)
    with pytest.raises(OperationalError), jobs.working(job):
        raise OperationalError("lock timeout")
    assert Verification.objects.get(pk=job.pk).status == "pending"

    job = jobs.claim(Verification, job.pk)
    with pytest.raises(RuntimeError), jobs.working(job):
        raise RuntimeError("the chain is unreadable")
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "the chain is unreadable")


def test_working_ends_quietly_when_the_job_was_taken_over(org):
    job = jobs.claim(Verification, Verification.objects.create(organisation=org).pk)
    expire(job)
    jobs.claim(Verification, job.pk)
    with jobs.working(job):
        jobs.heartbeat(job)
        raise AssertionError("not reached")
    assert Verification.objects.get(pk=job.pk).status == "running"  # the new holder's
