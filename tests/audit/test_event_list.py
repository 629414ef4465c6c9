import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from accounts.profiles import SESSION_TZ
from audit.models import AuditEvent, Verification
from audit.services import record
from tests.factories import AISystemFactory


@pytest.fixture
def many_events(org, admin):
    def make(n):
        system = AISystemFactory(organisation=org, name="Support Bot")
        with transaction.atomic():
            for i in range(n):
                record(
                    organisation=org,
                    actor=admin,
                    action="governance.aisystem.updated",
                    obj=system,
                    before={"n": i},
                    after={"n": i + 1},
                )
        return system

    return make


def test_auditor_reads_the_trail_newest_first(client_for, auditor, org, many_events):
    many_events(3)
    response = client_for(auditor).get(reverse("audit:event_list", args=[org.slug]))
    seqs = [e.seq for e in response.context["events"]]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == 3


def test_keyset_pages(client_for, auditor, org, many_events):
    many_events(60)
    c = client_for(auditor)
    first = c.get(reverse("audit:event_list", args=[org.slug]))
    assert len(first.context["events"]) == 50
    cursor = first.context["older_cursor"]
    second = c.get(reverse("audit:event_list", args=[org.slug]), {"before": cursor})
    assert [e.seq for e in second.context["events"]] == list(range(10, 0, -1))
    assert second.context["older_cursor"] is None


def test_filters(client_for, auditor, org, many_events, admin):
    many_events(2)
    c = client_for(auditor)
    url = reverse("audit:event_list", args=[org.slug])
    assert len(c.get(url, {"action": "governance.aisystem"}).context["events"]) == 2
    assert len(c.get(url, {"action": "accounts."}).context["events"]) == 0
    assert len(c.get(url, {"actor": admin.username}).context["events"]) == 2
    assert len(c.get(url, {"object": "support"}).context["events"]) == 2


def test_date_filters_take_whole_days_and_page_by_time(client_for, auditor, org, many_events):
    many_events(60)
    AuditEvent.objects.filter(seq__lte=20).update(created_at=dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC))
    AuditEvent.objects.filter(seq__gt=20).update(created_at=dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC))
    c = client_for(auditor)
    url = reverse("audit:event_list", args=[org.slug])
    day_one = c.get(url, {"since": "2026-03-01", "until": "2026-03-01"}).context["events"]
    assert [e.seq for e in day_one] == list(range(20, 0, -1))
    later = c.get(url, {"since": "2026-03-02"})
    assert [e.seq for e in later.context["events"]] == list(range(60, 20, -1))
    assert later.context["older_cursor"] is None
    assert len(c.get(url, {"until": "2026-03-02"}).context["events"]) == 50


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_is_constant(client_for, auditor, org, many_events, n, django_assert_num_queries):
    many_events(n)
    c = client_for(auditor)
    c.get(reverse("audit:event_list", args=[org.slug]))
    cache.clear()
    # session, user, membership, the chain head (the rows' cache key), the page's events, latest
    # verification, other organisations
    with django_assert_num_queries(7):
        c.get(reverse("audit:event_list", args=[org.slug]))
    with django_assert_num_queries(6):  # the page is kept under the chain head: no event is read
        response = c.get(reverse("audit:event_list", args=[org.slug]))
    assert response.content.count(b"<tr>") == min(n, 50) + 1  # and the header row


def test_cached_rows_follow_new_events_and_the_time_zone(client_for, auditor, admin, org, many_events):
    """The rendered rows are cached under the chain head: a new event shows at once, and a reader
    in another time zone gets rows rendered for them."""
    system = many_events(3)
    c = client_for(auditor)
    url = reverse("audit:event_list", args=[org.slug])
    first = c.get(url).content.decode()
    assert c.get(url).content.decode().count("<tr>") == first.count("<tr>")
    with transaction.atomic():
        record(organisation=org, actor=admin, action="governance.aisystem.updated", obj=system, after={"n": 9})
    assert c.get(url).content.decode().count("<tr>") == first.count("<tr>") + 1
    shown = re.compile(r'<time datetime="[^"]+">([^<]+)</time>')
    utc = shown.findall(c.get(url).content.decode())
    session = c.session
    session[SESSION_TZ] = "Asia/Tokyo"
    session.save()
    tokyo = shown.findall(c.get(url).content.decode())
    assert len(tokyo) == len(utc) and tokyo != utc  # nine hours ahead, rendered again


def test_verification_runs_and_reports_progress(
    client_for, auditor, org, many_events, django_capture_on_commit_callbacks, eager_tasks
):
    many_events(3)
    c = client_for(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("audit:verification_create", args=[org.slug]))
    assert response.status_code == 302
    verification = Verification.objects.get(organisation=org)
    assert verification.status == Verification.Status.PASSED
    assert verification.events_checked == 3
    partial = c.get(reverse("audit:verification_status", args=[org.slug, verification.pk]))
    assert b"Chain intact" in partial.content
    assert b"<html" not in partial.content  # the fragment only


def test_a_second_request_while_one_is_queued_reuses_it(org, auditor):
    from audit.services import verification_request

    first = verification_request(organisation=org, actor=auditor)
    again = verification_request(organisation=org, actor=auditor)
    assert first.pk == again.pk


def test_running_a_job_twice_is_harmless(org, many_events):
    from audit.services import verification_run

    many_events(2)
    job = Verification.objects.create(organisation=org)
    verification_run(job.pk)
    verification_run(job.pk)  # a duplicate delivery
    job.refresh_from_db()
    assert job.status == Verification.Status.PASSED and job.events_checked == 2
