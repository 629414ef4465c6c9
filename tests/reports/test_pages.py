"""The audit pack pages: request, watch, retry, download (audited), and the system page's panel."""

import io
import zipfile

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from reports.models import AuditPack
from tests.factories import AISystemFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def url(name, org, *args):
    return reverse(f"reports:{name}", args=[org.slug, *args])


def test_an_auditor_requests_a_pack_and_downloads_it(
    client_for, org, auditor, system, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("pack_create", org), {"ai_system": system.pk})
    assert response.status_code == 302
    pack = AuditPack.objects.get(organisation=org)
    assert (pack.status, pack.ai_system, pack.requested_by) == ("done", system, auditor)

    page = client.get(url("pack_list", org)).content.decode()
    assert url("pack_download", org, pack.pk) in page and 'hx-trigger="every 2s"' not in page

    response = client.get(url("pack_download", org, pack.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f"audit-pack-{org.slug}-system-{system.pk}-{pack.pk}.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "MANIFEST.sha256" in archive.namelist()
    event = AuditEvent.objects.get(organisation=org, action="reports.pack.downloaded")
    assert (event.actor, event.object_id, event.after["sha256"]) == (auditor, str(pack.pk), pack.sha256)


def test_a_building_pack_is_polled_until_it_is_ready(client_for, org, auditor):
    pack = AuditPack.objects.create(organisation=org, requested_by=auditor, status="running", stage=2)
    client = client_for(auditor)
    partial = client.get(url("pack_status", org, pack.pk)).content.decode()
    assert url("pack_status", org, pack.pk) in partial and "Writing the PDF report" in partial
    assert 'value="33"' in partial
    AuditPack.objects.filter(pk=pack.pk).update(status="failed", message="The worker was lost.")
    partial = client.get(url("pack_status", org, pack.pk)).content.decode()
    assert "hx-get" not in partial and "The worker was lost." in partial
    assert url("pack_retry", org, pack.pk) in partial


def test_a_pack_is_not_requested_twice_at_once(client_for, org, auditor):
    AuditPack.objects.create(organisation=org, requested_by=auditor)
    response = client_for(auditor).post(url("pack_create", org), {"ai_system": ""})
    assert response.status_code == 200
    assert "An audit pack is being built" in response.content.decode()
    assert AuditPack.objects.count() == 1


def test_a_system_of_another_organisation_is_refused(client_for, org, auditor):
    elsewhere = AISystemFactory(organisation=OrganisationFactory(slug="elsewhere"))
    response = client_for(auditor).post(url("pack_create", org), {"ai_system": elsewhere.pk})
    assert response.status_code == 200 and response.context["form"].errors["ai_system"]
    assert not AuditPack.objects.exists()


def test_a_pack_that_is_not_ready_is_not_served(client_for, org, auditor):
    pack = AuditPack.objects.create(organisation=org, requested_by=auditor, status="failed")
    assert client_for(auditor).get(url("pack_download", org, pack.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action="reports.pack.downloaded").exists()


def test_the_system_page_offers_a_pack_to_auditors_only(client, org, auditor, member, system):
    page = reverse("governance:system_detail", args=[org.slug, system.pk])
    client.force_login(auditor)
    assert "Request an audit pack of this system" in client.get(page).content.decode()
    client.force_login(member)
    assert "Request an audit pack of this system" not in client.get(page).content.decode()
