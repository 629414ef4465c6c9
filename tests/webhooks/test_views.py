"""The webhook settings pages: the secret shown once, refusals on the form, audited changes, and
a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from webhooks.models import Delivery, Endpoint

from .factories import make_endpoint


def test_creating_an_endpoint_shows_its_secret_once_and_audits_without_it(client_for, admin, org):
    client = client_for(admin)
    response = client.post(
        reverse("webhooks:endpoint_create", args=[org.slug]),
        {"url": "https://hooks.example.com/in", "description": "Chat", "event_types": ["assignment.overdue"]},
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="webhooks.endpoint.created")
    assert event.after["url"] == "https://hooks.example.com/in" and "secret" not in event.after
    detail = client.get(reverse("webhooks:endpoint_detail", args=[org.slug, endpoint.pk])).content.decode()
    assert endpoint.secret not in detail


def test_an_internal_url_is_refused_on_the_form(client_for, admin, org, resolve_to):
    resolve_to.addresses = ["10.0.0.1"]
    response = client_for(admin).post(
        reverse("webhooks:endpoint_create", args=[org.slug]),
        {"url": "https://intranet.example.com/", "event_types": ["assignment.overdue"]},
    )
    assert response.status_code == 200
    assert "internal address" in response.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"url": "not a url", "event_types": ["assignment.overdue"]},
        {"url": "https://x.example.com/", "event_types": ["nope"]},
        {},
    ],
)
def test_bad_input_re_renders_with_errors(client_for, admin, org, data):
    response = client_for(admin).post(reverse("webhooks:endpoint_create", args=[org.slug]), data)
    assert response.status_code == 200 and not Endpoint.objects.exists()


def test_rotating_the_secret_shows_the_new_one_once_and_audits_the_time(client_for, admin, org):
    endpoint = make_endpoint(org)
    old = endpoint.secret
    response = client_for(admin).post(
        reverse("webhooks:endpoint_rotate", args=[org.slug, endpoint.pk]), {"version": endpoint.version}
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()
    event = AuditEvent.objects.get(action="webhooks.endpoint.secret_rotated")
    assert "secret_rotated_at" in event.after and "secret" not in event.after


def test_switching_an_endpoint_back_on_clears_the_failures(client_for, admin, org):
    endpoint = make_endpoint(org, is_active=False, disabled_reason="Switched off", consecutive_failures=8)
    response = client_for(admin).post(
        reverse("webhooks:endpoint_edit", args=[org.slug, endpoint.pk]),
        {
            "url": endpoint.url,
            "description": "",
            "event_types": endpoint.event_types,
            "is_active": "on",
            "version": endpoint.version,
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_reason == "" and endpoint.consecutive_failures == 0
    assert AuditEvent.objects.filter(action="webhooks.endpoint.updated").exists()


def test_a_test_event_is_queued_and_logged(client_for, admin, org, receiver, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(org, event_types=[])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(reverse("webhooks:endpoint_test", args=[org.slug, endpoint.pk]))
    assert response.status_code == 302
    assert Delivery.objects.get().event_type == "webhook.test"
    assert len(receiver.calls) == 1
    page = client_for(admin).get(reverse("webhooks:endpoint_detail", args=[org.slug, endpoint.pk])).content.decode()
    assert "HTTP 200" in page


def test_removing_an_endpoint_retires_it(client_for, admin, org):
    endpoint = make_endpoint(org)
    response = client_for(admin).post(
        reverse("webhooks:endpoint_retire", args=[org.slug, endpoint.pk]),
        {"reason": "Chat tool replaced", "version": endpoint.version},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.retired_at is not None and not endpoint.is_active
    assert client_for(admin).get(reverse("webhooks:endpoint_detail", args=[org.slug, endpoint.pk])).status_code == 404


def _list_queries(client, org) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("webhooks:endpoint_list", args=[org.slug])).status_code == 200
    return len(ctx)


def test_the_list_page_runs_as_many_queries_for_30_endpoints_as_for_3(client_for, admin, org):
    from webhooks import events

    client = client_for(admin)
    client.get(reverse("webhooks:endpoint_list", args=[org.slug]))

    def add(n, start):
        for i in range(start, start + n):
            endpoint = make_endpoint(org, url=f"https://h{i}.example.com/", is_active=i % 2 == 0, disabled_reason="x")
            events.emit(org, events.TEST, f"test:{i}", {}, [endpoint])

    add(3, 0)
    small = _list_queries(client, org)
    add(27, 3)
    assert _list_queries(client, org) == small


def test_the_detail_page_runs_constant_queries(client_for, admin, org):
    from webhooks import events

    client = client_for(admin)
    endpoint = make_endpoint(org)
    url = reverse("webhooks:endpoint_detail", args=[org.slug, endpoint.pk])
    client.get(url)
    events.emit(org, events.TEST, "test:a", {}, [endpoint])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(10):
        events.emit(org, events.TEST, f"test:{i}", {}, [endpoint])
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)
