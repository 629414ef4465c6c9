"""A real Celery worker process for the webhook kill test: a pause between sending an event and
recording that it was delivered, so a test can kill the worker after the receiver has the event
but before Bastion knows. Run as `python -m tests.workers.slow_webhook_worker` with the test's
environment (WEBHOOKS_ALLOW_HTTP and WEBHOOKS_ALLOW_PRIVATE_TARGETS on, for a local receiver)."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test")
django.setup()

from django.conf import settings  # noqa: E402

from config.celery import app  # noqa: E402
from webhooks import delivery  # noqa: E402

_record = delivery._record


def slow_record(*args):
    time.sleep(float(os.environ.get("SLOW_RECORD_SECONDS", "3")))
    return _record(*args)


delivery._record = slow_record

if __name__ == "__main__":
    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    options = ["--pool=solo", "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    app.worker_main(["worker", *options, "--queues", queue])
