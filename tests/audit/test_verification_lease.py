"""The chain check as a leased job (issue 9, #1): a check whose worker died is taken over."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit import checkpoints
from audit.models import AuditEvent, Verification
from audit.services import record
from audit.tasks import audit_verify_task
from core import jobs
from tests.factories import AISystemFactory


def add_events(org, actor, n):
    system = AISystemFactory(organisation=org)
    with transaction.atomic():
        for i in range(n):
            record(organisation=org, actor=actor, action="test.changed", obj=system, after={"n": i})


def test_a_check_whose_worker_died_is_taken_over_and_counts_from_zero(org, admin):
    add_events(org, admin, 5)
    job = Verification.objects.create(organisation=org)
    crashed = jobs.claim(Verification, job.pk)
    jobs.heartbeat(crashed, events_checked=3, events_total=5)  # then kill -9
    audit_verify_task(job.pk)  # the redelivered message, while the lease is live: nothing to do
    assert Verification.objects.get(pk=job.pk).status == "running"
    Verification.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    audit_verify_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.events_checked, job.events_total, job.attempts) == ("passed", 5, 5, 2)


def test_a_passing_check_anchors_the_chain_and_a_failing_one_does_not(org, admin):
    add_events(org, admin, 2)
    job = Verification.objects.create(organisation=org)
    audit_verify_task(job.pk)
    assert checkpoints.latest(org).seq == 2
    AuditEvent.objects.filter(organisation=org, seq=2).update(after={"n": 99})
    add_events(org, admin, 1)
    failing = Verification.objects.create(organisation=org)
    audit_verify_task(failing.pk)
    failing.refresh_from_db()
    assert failing.status == "failed" and "event #2" in failing.message
    assert checkpoints.latest(org).seq == 2


def test_a_check_that_cannot_write_its_checkpoint_says_so(org, admin, monkeypatch):
    add_events(org, admin, 1)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoints, "write", disk_full)
    job = Verification.objects.create(organisation=org)
    audit_verify_task(job.pk)
    job.refresh_from_db()
    assert job.status == "passed" and "could not be written" in job.message


def test_an_unreadable_checkpoint_store_fails_the_check(org, admin, settings, tmp_path):
    add_events(org, admin, 1)
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "a-file"
    settings.AUDIT_CHECKPOINT_DIR.write_text("")
    job = Verification.objects.create(organisation=org)
    audit_verify_task(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "cannot be read" in job.message
