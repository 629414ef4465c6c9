"""A real Celery worker process for the kill test: re-routing slowed down so a test can kill it
mid-job. Run as `python -m tests.workers.slow_reroute_worker` with the test's environment."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test")
django.setup()

from django.conf import settings  # noqa: E402

from assessments.services import routing  # noqa: E402
from config.celery import app  # noqa: E402

routing.REROUTE_CHUNK = 1
_move = routing._move


def slow_move(*args):
    time.sleep(float(os.environ.get("SLOW_MOVE_SECONDS", "0.3")))
    return _move(*args)


routing._move = slow_move

if __name__ == "__main__":
    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    options = ["--pool=solo", "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    app.worker_main(["worker", *options, "--queues", queue])
