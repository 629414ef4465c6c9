"""Test settings: the normal settings with fast, deterministic overrides.

The database follows DATABASE_URL (SQLite in memory when unset), so the same suite runs on
SQLite and on PostgreSQL. Celery runs tasks eagerly unless CELERY_BROKER_URL points at a real
broker, in which case the tests marked `celery_worker` start a real worker.
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")

from .settings import *  # noqa: F403
from .settings import CELERY_BROKER_URL, DATABASES, STORAGES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="bastion-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
BASTION_DEMO_SNAPSHOT_DAYS = 3  # seed_demo's readiness history: enough to draw a line

CELERY_REAL_WORKER = CELERY_BROKER_URL.startswith(("redis://", "amqp://", "rediss://"))
CELERY_TASK_ALWAYS_EAGER = not CELERY_REAL_WORKER
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tests serve static files from the app folders (finders); there is no collectstatic output.
STATIC_ROOT = None
WHITENOISE_AUTOREFRESH = True

# Under pytest-xdist each test process has its own database; give each its own queue too, so a
# task one process sends is never taken by another process's worker (which could not find its rows).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if CELERY_REAL_WORKER and _XDIST_WORKER:
    CELERY_TASK_DEFAULT_QUEUE = f"bastion-test-{_XDIST_WORKER}"
