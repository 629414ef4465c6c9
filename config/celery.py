"""Celery application: settings come from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("bastion")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_stale_connections(task=None, **_kwargs):
    # A worker lives for days; drop connections the database closed meanwhile (a restart,
    # an idle timeout) so the next task gets a fresh one instead of an OperationalError.
    # Eager tasks run inside the caller's request and transaction: leave its connection alone.
    if task is not None and task.request.is_eager:
        return
    from django.db import close_old_connections

    close_old_connections()
