"""Audit actions become webhook events through the one mapping table; overdue events once per due date."""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from assessments.models import AssignmentStatus
from assessments.services.assignments import assignment_act
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory
from webhooks import events
from webhooks.models import Delivery

from .factories import make_endpoint


@pytest.fixture
def assignment(org, team):
    system = AISystemFactory(organisation=org, owner_team=team)
    return ControlAssignmentFactory(ai_system=system, owner_team=team, status=AssignmentStatus.NOT_STARTED)


def test_every_assignment_transition_maps_to_status_changed():
    from assessments.workflow import ASSIGNMENT

    for t in ASSIGNMENT.transitions:
        assert events.ACTIONS[f"assessments.assignment.{t.name}"] == events.STATUS_CHANGED


def test_an_assignment_transition_makes_a_delivery_and_sends_it(
    org, assignment, lead, receiver, django_capture_on_commit_callbacks
):
    subscribed = make_endpoint(org)
    make_endpoint(org, url="https://other.example.com/", event_types=["assessment.approved"])
    make_endpoint(org, url="https://off.example.com/", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_act(actor=lead, assignment=assignment, action="start", expected_version=assignment.version)
    delivery = Delivery.objects.get()
    assert delivery.endpoint == subscribed and delivery.event_type == "assignment.status_changed"
    (call,) = receiver.calls
    body = json.loads(call["body"])
    assert body["id"] == str(delivery.event_id)
    data = body["data"]
    assert data["transition"] == "start"
    assert (data["from"], data["to"]) == ("not_started", "in_progress")
    assert data["assignment"]["id"] == assignment.pk
    assert data["assignment"]["control_ref"] == assignment.control.ref
    assert data["actor"] == lead.username


def test_a_change_rolled_back_sends_nothing(org, assignment, lead):
    make_endpoint(org)
    with pytest.raises(RuntimeError), transaction.atomic():
        assignment_act(actor=lead, assignment=assignment, action="start", expected_version=assignment.version)
        raise RuntimeError("the request failed later")
    assert not Delivery.objects.exists()


def test_unmapped_audit_actions_cost_no_query(org, django_assert_num_queries):
    from audit.models import AuditEvent

    make_endpoint(org)
    event = AuditEvent(organisation=org, action="governance.aisystem.updated", object_id="1")
    with django_assert_num_queries(0):
        events.on_audit_event(AuditEvent, event, created=True)


def test_overdue_events_are_made_once_per_assignment_and_due_date(org, team):
    endpoint = make_endpoint(org)
    make_endpoint(org, url="https://status-only.example.com/", event_types=["assignment.status_changed"])
    today = timezone.localdate()
    system = AISystemFactory(organisation=org, owner_team=team)
    late = ControlAssignmentFactory(ai_system=system, owner_team=team, due_date=today - dt.timedelta(days=1))
    ControlAssignmentFactory(ai_system=system, owner_team=team, due_date=today)  # due today: not overdue yet
    ControlAssignmentFactory(ai_system=system, owner_team=team, due_date=today - dt.timedelta(days=30))  # long ago
    ControlAssignmentFactory(
        ai_system=system, owner_team=team, due_date=today - dt.timedelta(days=1), status=AssignmentStatus.VERIFIED
    )
    assert events.overdue_scan(today) == 1
    assert events.overdue_scan(today) == 0  # the daily task run twice
    delivery = Delivery.objects.get()
    assert delivery.endpoint == endpoint and delivery.event_type == "assignment.overdue"
    assert delivery.payload["data"]["assignment"]["id"] == late.pk
    assert delivery.payload["data"]["days_overdue"] == 1
    tomorrow = today + dt.timedelta(days=1)
    assert events.overdue_scan(tomorrow) == 1  # the one due today is overdue tomorrow
    assert events.overdue_scan(tomorrow) == 0
    # A new due date that passes is a new event.
    late.due_date = today - dt.timedelta(days=2)
    late.save()
    assert events.overdue_scan(today) == 1
