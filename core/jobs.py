"""Background jobs that survive a crashed worker: a lease claimed in the database.

A job row (a model with `LeasedJob`) is the job's state; a Celery message only says "work on
job N". Celery delivers a message at least once (late acks), so the row decides who works:

- `claim()` is one conditional UPDATE that succeeds for a queued job, or for a running job whose
  lease has expired (its worker died: `kill -9`, out of memory, a lost machine). It bumps
  `attempts`, which is the claim's fencing token.
- `heartbeat()` extends the lease while working and stores progress; it fails with `LeaseLost`
  when another worker has re-claimed the job meanwhile, so a worker that stalled past its lease
  stops instead of working twice. Inside a transaction it also locks the row until commit.
- `finish()` stores the outcome, again only for the current claim.
- `sweep()` (beat, every minute) puts jobs whose lease expired back in the queue and sends
  their task again, so a job also completes when its message was lost.

Work must be resumable from the progress the heartbeats stored: a re-claimed job starts again
from there (re-routing skips the assignments it already did; a chain check starts over).
A job that keeps killing its worker is failed after `MAX_ATTEMPTS` claims.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, OperationalError, migrations, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("bastion.jobs")

PENDING, RUNNING, FAILED = "pending", "running", "failed"
ACTIVE = (PENDING, RUNNING)
MAX_ATTEMPTS = 5


class LeaseLost(Exception):
    """Another worker has claimed this job since we did: stop without writing anything."""


def lease_seconds() -> int:
    return settings.BASTION_JOB_LEASE_SECONDS


def _lease_end() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=lease_seconds())


class LeasedJob(models.Model):
    """Fields of a job claimed under a lease. Subclasses define `status` (with "pending",
    "running" and "failed" among its values, "pending" the default) and `task`: the dotted path
    of the Celery task that runs the job given its id."""

    task = ""

    lease_expires_at = models.DateTimeField(
        _("lease expires at"),
        null=True,
        blank=True,
        help_text=_("A running job whose lease has expired is claimed again; a queued one is sent again."),
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0, help_text=_("How many times a worker claimed it."))

    if TYPE_CHECKING:
        # For the type checker only: each concrete job model has a manager, and fields (status,
        # message, finished_at) that the queries here name but an abstract model cannot declare.
        objects: ClassVar[models.Manager[Any]]
        status: str

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


Job = TypeVar("Job", bound=LeasedJob)


def one_active_per(field: str, *, name: str) -> models.UniqueConstraint:
    """A partial unique index: at most one queued or running job per `field` (SQLite, PostgreSQL)."""
    return models.UniqueConstraint(fields=[field], condition=Q(status__in=ACTIVE), name=name)


def create_or_active(model: type[Job], *, active, **fields) -> tuple[Job, bool]:
    """Create a queued job and send its task on commit, unless `active` (a queryset) already
    has one: then (that job, False). Two concurrent requests cannot both create a job: the
    database's `one_active_per` constraint refuses the second, which then gets the first."""
    existing = active.filter(status__in=ACTIVE).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            job = model.objects.create(lease_expires_at=_queue_deadline(), **fields)
    except IntegrityError:
        existing = active.filter(status__in=ACTIVE).first()
        if existing is None:  # the other job finished meanwhile, or the error was something else
            raise
        return existing, False
    transaction.on_commit(lambda: send(job))
    return job, True


def _queue_deadline() -> dt.datetime:
    # A queued job nobody claimed within a few leases has probably lost its message.
    return timezone.now() + dt.timedelta(seconds=lease_seconds() * 5)


def send(job: LeasedJob) -> None:
    import_string(job.task).delay(job.pk)


def claim(model: type[Job], pk: int) -> Job | None:
    """Take the job if it is queued or its worker's lease has expired; None if it is finished
    or another worker holds a live lease (a duplicate delivery: nothing to do)."""
    now = timezone.now()
    expired = Q(status=RUNNING) & (Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True))
    rows = model.objects.filter(pk=pk).filter(Q(status=PENDING) | expired)
    gave_up = rows.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=FAILED,
        lease_expires_at=None,
        message=_give_up_message(),
        finished_at=now,
    )
    if gave_up:
        logger.error("job %s %s failed after %s attempts", model._meta.label, pk, MAX_ATTEMPTS)
        return None
    if not rows.update(status=RUNNING, lease_expires_at=_lease_end(), attempts=F("attempts") + 1):
        return None
    job = model.objects.get(pk=pk)
    if job.attempts > 1:
        logger.warning("job %s %s re-claimed (attempt %s)", model._meta.label, pk, job.attempts)
    return job


def _give_up_message() -> str:
    return str(_("Stopped after %(n)s attempts: each one ended without finishing (the worker was lost).")) % {
        "n": MAX_ATTEMPTS
    }


def lease_left(model: type[LeasedJob], pk: int) -> float | None:
    """Seconds until the live lease on a running job expires; None if no worker holds one."""
    row = model.objects.filter(pk=pk, status=RUNNING, lease_expires_at__gt=timezone.now()).first()
    return (row.lease_expires_at - timezone.now()).total_seconds() if row else None


def look_again_later(task, model: type[LeasedJob], pk: int) -> None:
    """After a job's task ran: if another worker holds a live lease on the job (this delivery
    found it taken), retry when the lease would expire. A message redelivered after its worker
    was killed (`kill -9` of a child: the message comes back at once) so takes the job over as
    soon as the lease runs out, instead of waiting for the sweeper; while the job is alive and
    beating, the retry finds it finished or still held, and looks again or stops."""
    if task.request.called_directly or task.request.is_eager:
        return
    left = lease_left(model, pk)
    if left is not None:
        raise task.retry(countdown=left + 1, max_retries=LOOKS)


LOOKS = 100  # retries of a delivery that keeps finding the job held (at one lease each)


@contextmanager
def working(job: LeasedJob):
    """Around a claimed job's work (which ends with `finish`): a lost lease ends it quietly (the
    new holder goes on), a transient database error puts the job back in the queue for the
    task's retry, any other error fails the job with its message and is raised again."""
    try:
        yield job
    except LeaseLost:
        logger.warning("job %s %s was taken over by another worker", job._meta.label, job.pk)
    except OperationalError:
        release(job)
        raise
    except Exception as exc:
        finish(job, status=FAILED, message=str(exc)[:500])
        raise


def _mine(job: LeasedJob):
    return type(job).objects.filter(pk=job.pk, status=RUNNING, attempts=job.attempts)


def heartbeat(job: LeasedJob, **progress) -> None:
    """Extend the lease and store `progress` (field=value); LeaseLost if the job is no longer ours."""
    if not _mine(job).update(lease_expires_at=_lease_end(), **progress):
        raise LeaseLost(f"{job._meta.label} {job.pk}")
    for name, value in progress.items():
        setattr(job, name, value)


def finish(job: LeasedJob, *, status: str, **fields) -> bool:
    """Store the outcome of the current claim; False if the job was taken from us meanwhile."""
    return bool(_mine(job).update(status=status, lease_expires_at=None, finished_at=timezone.now(), **fields))


def release(job: LeasedJob) -> None:
    """Put the job back in the queue now (a transient error; the task's retry claims it again)."""
    _mine(job).update(status=PENDING, lease_expires_at=_queue_deadline())


def job_models() -> list[type[LeasedJob]]:
    return [m for m in apps.get_models() if issubclass(m, LeasedJob)]


def sweep() -> int:
    """Send again every job whose lease or queue deadline has passed; the number sent."""
    now = timezone.now()
    sent = 0
    for model in job_models():
        stale = model.objects.filter(status__in=ACTIVE).filter(
            Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
        )
        for job in stale.only("pk", "status", "lease_expires_at"):
            # Conditional, so two sweepers never both send it; the job stays claimable by the
            # message we send (and by a late redelivery of the old one).
            requeued = (
                model.objects.filter(pk=job.pk, status=job.status, lease_expires_at=job.lease_expires_at)
                .filter(Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True))
                .update(status=PENDING, lease_expires_at=_queue_deadline())
            )
            if requeued:
                logger.warning("job %s %s: lease expired, sent again", model._meta.label, job.pk)
                send(job)
                sent += 1
    return sent


def fail_extra_active(model, field: str = "organisation") -> None:
    """Before `one_active_per(field)` is added: keep the newest active job per `field` and fail
    the others (races of the time before the constraint). Works on a migration's historical model."""
    from django.db.models import Count, Max

    crowded = (
        model.objects.filter(status__in=ACTIVE).values(field).annotate(n=Count("pk"), newest=Max("pk")).filter(n__gt=1)
    )
    for row in crowded:
        model.objects.filter(status__in=ACTIVE, **{field: row[field]}).exclude(pk=row["newest"]).update(
            status=FAILED,
            lease_expires_at=None,
            message="Superseded: only one job per organisation may be active.",
            finished_at=timezone.now(),
        )


def fail_extra_active_migration(app_label: str, model_name: str):
    """A RunPython operation calling `fail_extra_active` on the historical model."""

    def forwards(apps, schema_editor):
        fail_extra_active(apps.get_model(app_label, model_name))

    return migrations.RunPython(forwards, migrations.RunPython.noop)
