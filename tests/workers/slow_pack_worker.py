"""A real Celery worker process for the audit pack kill test: writing the workbook slowed down so
a test can kill it mid-pack. Run as `python -m tests.workers.slow_pack_worker` with the test's
environment; PACK_MEDIA_ROOT is where the test reads the stored packs."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test")
django.setup()

from django.conf import settings  # noqa: E402

from config.celery import app  # noqa: E402
from reports import documents  # noqa: E402

settings.MEDIA_ROOT = os.environ["PACK_MEDIA_ROOT"]  # config.test makes a directory per process
_render_xlsx = documents.render_xlsx


def slow_render_xlsx(tables):
    time.sleep(float(os.environ.get("SLOW_WORKBOOK_SECONDS", "1.5")))
    return _render_xlsx(tables)


documents.render_xlsx = slow_render_xlsx

if __name__ == "__main__":
    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    options = ["--pool=solo", "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    app.worker_main(["worker", *options, "--queues", queue])
