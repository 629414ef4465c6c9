"""A system's Controls tab: readiness per domain, its assignments, the retired ones apart."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssignmentStatus
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import ControlFactory


def url(system):
    return reverse("assessments:system_controls", args=[system.organisation.slug, system.pk])


def test_it_lists_assignments_with_readiness_and_retired_ones_apart(client_for, viewer, system):
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="SEC-1"), status=AssignmentStatus.VERIFIED)
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="SEC-2"))
    ControlAssignmentFactory(
        ai_system=system,
        control=ControlFactory(ref="OLD-1"),
        retired_at=timezone.now(),
        retirement_reason="No longer applies.",
    )
    response = client_for(viewer).get(url(system))
    assert [a.control.ref for a in response.context["assignments"]] == ["SEC-2", "SEC-1"]
    assert [a.control.ref for a in response.context["retired"]] == ["OLD-1"]
    security = response.context["readiness"].domains[0]
    assert (security.verified, security.applicable) == (1, 2)
    body = response.content.decode()
    assert "50%" in body and "1 of 2 verified" in body
    assert "No longer applies." in body


def test_filters_by_status_domain_and_practice(client_for, viewer, system):
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="A", domain="safety", practice="guardrails"))
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="B"), status=AssignmentStatus.VERIFIED)
    c = client_for(viewer)

    def refs(**params):
        return [a.control.ref for a in c.get(url(system), params).context["assignments"]]

    assert refs(status="open") == ["A"]
    assert refs(status="verified") == ["B"]
    assert refs(domain="safety") == ["A"]
    assert refs(practice="prompt_hardening") == ["B"]


def test_an_unassessed_system_says_how_controls_arrive(client_for, viewer, system):
    assert b"Controls arrive when a lead completes the assessment" in client_for(viewer).get(url(system)).content


def test_anonymous_is_sent_to_login(client, system):
    assert client.get(url(system))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_is_constant(client_for, member, system, rows, django_assert_num_queries):
    for i in range(rows):
        ControlAssignmentFactory(
            ai_system=system,
            control=ControlFactory(ref=f"C-{i:02d}", domain=["security", "safety", "both"][i % 3]),
            due_date=timezone.localdate() + dt.timedelta(days=i - 3),
            assignee=member,
        )
    c = client_for(member)
    c.get(url(system))  # the session's first visit stores the organisation
    cache.clear()
    # session, user, membership, system (+team, people), the data version, the count of rows
    # (pages of 100), rows, the filter's choices, the member's teams, the people of those teams
    # (the shared bulk control), retired rows, readiness, other organisations
    with django_assert_num_queries(12):
        first = c.get(url(system)).content.decode()
    # The next view finds the rows, their count and the filter bar kept: none of them is read
    # (session, user, membership, system, data version, the member's teams and their people,
    # retired rows, the control readiness (one aggregate), other organisations).
    with django_assert_num_queries(10):
        again = c.get(url(system)).content.decode()
    assert first.count('name="selected"') == again.count('name="selected"') == rows


def test_rows_are_changed_with_one_shared_control_not_a_form_per_row(client_for, member, system):
    """Hundreds of rows: each row has a tick box; the bulk bar of My work changes the ticked ones."""
    rows = [ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref=f"BULK-{i}")) for i in range(3)]
    c = client_for(member)
    response = c.get(url(system))
    body = response.content.decode()
    assert body.count('name="selected"') == 3 and 'id="bulk-form"' in body and "/act/" not in body
    bulk = reverse("assessments:work_bulk", args=[system.organisation.slug])
    picked = [f"{a.pk}:{a.version}" for a in rows[:2]]
    assert c.post(bulk, {"selected": picked, "action": "start", "next": url(system)}).status_code == 302
    statuses = [a.status for a in type(rows[0]).objects.filter(pk__in=[a.pk for a in rows]).order_by("pk")]
    assert statuses == [AssignmentStatus.IN_PROGRESS, AssignmentStatus.IN_PROGRESS, AssignmentStatus.NOT_STARTED]


def test_readers_get_no_tick_boxes(client_for, viewer, system):
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="R-1"))
    body = client_for(viewer).get(url(system)).content.decode()
    assert 'name="selected"' not in body and 'id="bulk-form"' not in body


def test_long_lists_come_in_pages_of_100_that_keep_the_filters(client_for, viewer, system, monkeypatch):
    monkeypatch.setattr("assessments.views.work.CONTROLS_PAGE_SIZE", 2)
    for i in range(3):
        ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref=f"PG-{i}"))
    c = client_for(viewer)
    first = c.get(url(system), {"status": "open"})
    assert [a.control.ref for a in first.context["assignments"]] == ["PG-0", "PG-1"]
    assert "status=open&amp;page=2" in first.content.decode()
    second = c.get(url(system), {"status": "open", "page": 2})
    assert [a.control.ref for a in second.context["assignments"]] == ["PG-2"]


def test_kept_rows_keep_the_tick_boxes_to_those_who_may_tick(member, viewer, system):
    """The rows are kept in two variants: a viewer never gets the member's tick boxes, whichever
    of them opened the tab first."""
    from django.test import Client

    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="TICK-1"))
    as_member, as_viewer = Client(), Client()
    as_member.force_login(member)
    as_viewer.force_login(viewer)
    for _ in range(2):
        assert 'name="selected"' in as_member.get(url(system)).content.decode()
        body = as_viewer.get(url(system)).content.decode()
        assert "TICK-1" in body and 'name="selected"' not in body
