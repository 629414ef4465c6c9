"""Issue 13: an auditor signs in, lands on the dashboard, reads why a system is not audit-ready,
requests an audit pack of it, watches the build and downloads the zip.

The test plays the Celery worker: the queued job's message is caught instead of being run at
once (tests otherwise run tasks eagerly, inside the request), so the page really shows the
queued pack and polls it until the test has built it."""

import zipfile

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from reports.models import AuditPack
from reports.services import pack_build
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_reads_why_a_system_is_not_ready_and_takes_away_its_audit_pack(page, demo, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr("core.jobs.send", lambda job: queued.append(job.pk))

    sign_in(page, "auditor")
    expect(page.get_by_role("heading", name="Readiness dashboard")).to_be_visible()
    not_ready = page.locator(".not-ready-card").first
    system_name = not_ready.locator("h3 a").inner_text()
    not_ready.locator("h3 a").click()

    panel = page.locator("section", has=page.locator("#readiness-heading"))
    expect(panel).to_contain_text("Not audit-ready")
    failing = panel.locator("li.gate-fail")
    expect(failing.first).not_to_be_empty()

    page.get_by_role("button", name="Request an audit pack of this system").click()
    page.wait_for_url("**/audit-packs/")
    job = page.locator("#pack-job")
    expect(job).to_contain_text("Waiting for a worker")
    expect(job.locator("progress")).to_be_visible()

    assert len(queued) == 1
    pack_build(queued[0])  # the worker's turn; the page polls every 2 seconds
    download_link = page.get_by_role("link", name="Download the zip")
    download_link.wait_for()
    with page.expect_download() as info:
        download_link.click()
    archive = zipfile.ZipFile(info.value.path())
    assert {"MANIFEST.sha256", "audit-pack.pdf", "audit-pack.xlsx", "csv/gates.csv"} <= set(archive.namelist())
    assert system_name in archive.read("csv/pack.csv").decode("utf-8-sig")

    pack = AuditPack.objects.get(pk=queued[0])
    assert pack.ai_system.name == system_name and pack.status == "done"
    assert AuditEvent.objects.filter(action="reports.pack.downloaded", object_id=str(pack.pk)).count() == 1
    assert page.console_errors == []
