"""A system's Controls tab: readiness per domain, its assignments, the retired ones apart."""

import datetime as dt

import pytest
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
    c.get(url(system))
    # session, user, membership, system (+team, people), rows, retired rows, readiness, the
    # member's teams, other organisations
    with django_assert_num_queries(9):
        response = c.get(url(system))
    assert len(response.context["assignments"]) == rows
