"""Issue 13: kill -9 a real worker mid-pack, start another: exactly one finished pack.

The worker is a separate process (tests/workers/slow_pack_worker.py, writing the workbook slowed
down) on the real broker and database: CI's Redis and PostgreSQL stage. Leases and the broker's
visibility timeout are two seconds: the new worker gets the killed worker's unacked message back
from Redis, waits for the dead lease to expire, takes the pack over and builds it from the start,
writing the same file name; the pack is finished, and its `built` event written, once.
"""

import hashlib
import signal
import zipfile

import pytest
from django.conf import settings

from audit.models import AuditEvent
from reports.models import AuditPack
from reports.services import pack_request
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.waiting import wait_for
from tests.workers.process import worker_starter

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not getattr(settings, "CELERY_REAL_WORKER", False),
        reason="needs a real broker: run with CELERY_BROKER_URL=redis://… (CI does)",
    ),
    pytest.mark.django_db(transaction=True),
]

LEASE = "2"


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def start_worker(tmp_path, media):
    from config.celery import app

    app.control.purge()
    start, stop_all = worker_starter(
        tmp_path, "tests.workers.slow_pack_worker", lease=LEASE, env={"PACK_MEDIA_ROOT": str(media)}
    )
    yield start
    stop_all()


def test_a_pack_whose_worker_was_killed_is_built_once(start_worker, media, org, auditor, lead, system, settings):
    settings.BASTION_JOB_LEASE_SECONDS = int(LEASE)
    assignment = ControlAssignmentFactory(ai_system=system, status="verified", verified_by=lead)
    EvidenceFactory(assignment=assignment, uploaded_by=lead)
    first = start_worker()
    pack = pack_request(actor=auditor, organisation=org)

    writing_workbook = AuditPack.Stage.WORKBOOK
    assert wait_for(lambda: AuditPack.objects.get(pk=pack.pk).stage >= writing_workbook, timeout=30), "never started"
    first.send_signal(signal.SIGKILL)
    first.wait()
    pack.refresh_from_db()
    assert (pack.status, pack.stage) == ("running", writing_workbook), "finished before the kill: slow it down"

    start_worker()
    assert wait_for(lambda: AuditPack.objects.get(pk=pack.pk).is_finished, timeout=30), "the pack was not taken over"
    pack.refresh_from_db()
    assert (pack.status, pack.attempts) == ("done", 2)
    assert AuditEvent.objects.filter(organisation=org, action="reports.pack.built").count() == 1
    stored = list((media / "packs" / str(org.pk)).iterdir())
    assert [p.name for p in stored] == [f"{pack.token.hex}.zip"]  # one file: the second attempt's
    data = stored[0].read_bytes()
    assert hashlib.sha256(data).hexdigest() == pack.sha256
    assert zipfile.ZipFile(stored[0]).testzip() is None
