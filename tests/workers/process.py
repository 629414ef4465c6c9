"""Starting real Celery worker processes for kill tests (CI's PostgreSQL + Redis stage).

`worker_starter(tmp_path, module, lease=…, env=…)` returns `start()`, which launches
`python -m <module>` on the test's database with leases and the broker's visibility timeout cut
to `lease` seconds, and `stop_all()`, which ends the ones still running."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it can share: run with DATABASE_URL=postgres://… (CI does)")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_starter(tmp_path: Path, module: str, *, lease: str, env: dict[str, str] | None = None):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "JOB_LEASE_SECONDS": lease,
        "CELERY_VISIBILITY_TIMEOUT": lease,
        "AUDIT_CHECKPOINT_DIR": str(tmp_path),
        **(env or {}),
    }
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=Path(settings.BASE_DIR),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    def stop_all() -> None:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT)  # idle by now: a cold shutdown is enough
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    return start, stop_all
