"""Webhook events of the record types: incident opened and closed, audit pack ready, risk
acceptance expired (from their audit actions), readiness changed (from the verdict against the
latest earlier snapshot)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from incidents.services import incident_act, incident_report
from readiness.models import ReadinessSnapshot
from reports.models import AuditPack
from reports.services import pack_build, pack_request
from risks.models import Acceptance
from risks.services import acceptances_expire
from tests.factories import AISystemFactory
from tests.incidents.factories import IncidentFactory
from tests.risks.factories import RiskScenarioFactory
from webhooks import events
from webhooks.models import Delivery

from .factories import make_endpoint

RECORD_EVENTS = ["incident.opened", "incident.closed", "audit_pack.ready", "risk_acceptance.expired"]


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, name="Support Chatbot")


def bodies(receiver):
    return [json.loads(call["body"]) for call in receiver.calls]


def test_a_reported_incident_and_its_closing_are_events(
    org, system, member, lead, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(org, event_types=RECORD_EVENTS)
    data = {
        "title": "Leaked order data",
        "description": "Seen by a customer.",
        "detected_at": timezone.now() - dt.timedelta(hours=1),
        "severity": "high",
        "hostile_intent": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_report(actor=member, organisation=org, data=data, systems=[system])
    (opened,) = bodies(receiver)
    assert opened["type"] == "incident.opened"
    assert opened["data"]["incident"]["systems"] == [{"id": system.pk, "name": "Support Chatbot"}]
    assert opened["data"]["incident"]["severity"] == "high" and opened["data"]["actor"] == member.username

    resolved = IncidentFactory(system=system, status="resolved", reviewed_at=timezone.now(), root_cause="A bug.")
    with django_capture_on_commit_callbacks(execute=True):
        incident_act(actor=lead, incident=resolved, name="close", expected_version=resolved.version)
    closed = bodies(receiver)[-1]
    assert closed["type"] == "incident.closed" and closed["data"]["incident"]["status"] == "closed"
    assert incident.pk != resolved.pk and Delivery.objects.count() == 2


def test_an_expired_acceptance_is_an_event(org, system, receiver, django_capture_on_commit_callbacks):
    make_endpoint(org, event_types=RECORD_EVENTS)
    risk = RiskScenarioFactory(
        ai_system=system, acceptance=Acceptance.ACCEPTED, acceptance_until=timezone.localdate() - dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert acceptances_expire() == 1
    (body,) = bodies(receiver)
    assert body["type"] == "risk_acceptance.expired" and body["data"]["risk"]["id"] == risk.pk


def test_a_built_audit_pack_is_an_event(org, auditor, system, receiver, django_capture_on_commit_callbacks):
    make_endpoint(org, event_types=RECORD_EVENTS)
    pack = pack_request(actor=auditor, organisation=org, ai_system=system)
    with django_capture_on_commit_callbacks(execute=True):
        pack_build(pack.pk)
    (body,) = bodies(receiver)
    pack = AuditPack.objects.get(pk=pack.pk)
    assert body["type"] == "audit_pack.ready" and body["data"]["audit_pack"]["sha256"] == pack.sha256
    assert body["data"]["audit_pack"]["download"] == f"/api/v1/o/{org.slug}/audit-packs/{pack.pk}/download/"


def test_a_changed_verdict_is_an_event_once_a_day(org, system, receiver, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(org, event_types=["readiness.changed"])
    today = timezone.localdate()
    assert events.readiness_scan(today) == 0  # no earlier verdict to compare with
    yesterday = {"organisation": org, "scope": "system", "ai_system": system, "subject": f"system:{system.pk}"}
    snapshot = ReadinessSnapshot.objects.create(**yesterday, day=today - dt.timedelta(days=1), domain="security")
    assert events.readiness_scan(today) == 0  # not audit-ready then, nor now
    # Yesterday's snapshot says ready (the system then passed every check): today's verdict differs.
    ReadinessSnapshot.objects.filter(pk=snapshot.pk).update(systems_ready=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert events.readiness_scan(today) == 1
        assert events.readiness_scan(today) == 0  # the same change, the same day: nothing twice
    (body,) = bodies(receiver)
    assert body["type"] == "readiness.changed"
    assert body["data"]["system"]["id"] == system.pk
    assert (body["data"]["audit_ready"], body["data"]["was_audit_ready"]) == (False, True)
    assert {c["key"] for c in body["data"]["failing"]} >= {"threat_model", "assessment"}
    assert Delivery.objects.get().endpoint == endpoint


def test_every_governed_record_step_maps_to_record_status_changed():
    """Read from each type's own table, so a new record type sends its steps with no new code;
    incidents are not governed records and keep their own events."""
    from records.kinds import KINDS

    governed = [kind for kind in KINDS.values() if kind.key != "incident"]
    assert {kind.key for kind in governed} == {"risk", "threat_model", "exercise", "review", "plan", "tabletop", "fria"}
    for kind in governed:
        for t in kind.workflow.transitions:
            assert events.event_type_of(f"{kind.workflow.action_prefix}.{t.name}") == "record.status_changed"
    assert events.event_type_of("incidents.incident.contain") is None


def test_a_risk_submitted_and_approved_is_two_record_events(
    org, system, member, lead, receiver, django_capture_on_commit_callbacks
):
    from records.services import record_act
    from risks.workflow import RISK

    make_endpoint(org, event_types=["record.status_changed"])
    risk = RiskScenarioFactory(ai_system=system, author=member, title="Injection leaks orders")
    with django_capture_on_commit_callbacks(execute=True):
        risk = record_act(RISK, actor=member, record=risk, name="submit", expected_version=risk.version)
    with django_capture_on_commit_callbacks(execute=True):
        record_act(RISK, actor=lead, record=risk, name="approve", expected_version=risk.version, text="Fine.")
    submitted, approved = bodies(receiver)
    assert submitted["type"] == approved["type"] == "record.status_changed"
    assert (submitted["data"]["transition"], submitted["data"]["from"], submitted["data"]["to"]) == (
        "submit",
        "draft",
        "in_review",
    )
    record = approved["data"]["record"]
    assert (record["type"], record["id"], record["status"]) == ("risk", risk.pk, "approved")
    assert record["system"] == {"id": system.pk, "name": "Support Chatbot"}
    assert approved["data"]["actor"] == lead.username
