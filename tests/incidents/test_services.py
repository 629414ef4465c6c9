"""Reporting (triage and routing), the timeline, follow-ups raised from an incident, the one-step
risk scenario from a closed incident, and the open counts the readiness dashboard reads."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from incidents.models import Incident
from incidents.queries import open_counts
from incidents.services import (
    incident_follow_up,
    incident_report,
    incident_update,
    review_save,
    risk_from_incident,
    timeline_add,
)
from risks.models import RiskScenario
from tests.factories import AISystemFactory, ControlFactory
from tests.incidents.factories import IncidentFactory


def report(actor, org, systems, **data):
    fields = {
        "title": "Prompt injection leaked the system prompt",
        "description": "A pasted web page made the assistant print its instructions.",
        "detected_at": timezone.now() - dt.timedelta(hours=1),
        "severity": "high",
        "hostile_intent": True,
        "harm_in_benign_use": False,
        **data,
    }
    return incident_report(actor=actor, organisation=org, data=fields, systems=systems)


@pytest.mark.parametrize(
    "hostile, benign, domain", [(True, False, "security"), (False, True, "safety"), (True, True, "both")]
)
def test_the_triage_decides_the_domain_and_routes_the_teams(
    other_team_member, org, system, team, safety_team, hostile, benign, domain
):
    incident = report(other_team_member, org, [system], hostile_intent=hostile, harm_in_benign_use=benign)
    assert incident.domain == domain and incident.reported_by == other_team_member
    assert incident.owner_team == (safety_team if domain == "safety" else team)
    assert incident.cosigning_team == (safety_team if domain == "both" else None)
    event = AuditEvent.objects.get(action="incidents.incident.reported")
    assert event.after["systems"] == [system.pk] and event.after["domain"] == domain


def test_neither_answer_is_not_an_incident_of_ours(member, org, system):
    with pytest.raises(ValidationError):
        report(member, org, [system], hostile_intent=False)


def test_readers_do_not_report_and_a_system_is_required(viewer, auditor, member, org, system):
    for reader in (viewer, auditor):
        with pytest.raises(PermissionDenied):
            report(reader, org, [system])
    with pytest.raises(ValidationError):
        report(member, org, [])
    with pytest.raises(ValidationError):
        report(member, org, [system], detected_at=timezone.now() + dt.timedelta(days=1))
    assert not Incident.objects.exists()


def test_a_system_of_another_organisation_is_refused(member, org, system):
    with pytest.raises(ValidationError):
        report(member, org, [system, AISystemFactory()])


def test_detection_is_not_moved_after_containment(member, system):
    incident = IncidentFactory(system=system, status="contained", contained_at=timezone.now() - dt.timedelta(hours=1))
    fields = ("title", "description", "severity", "hostile_intent", "harm_in_benign_use")
    data = {f: getattr(incident, f) for f in fields}
    with pytest.raises(ValidationError):
        incident_update(
            actor=member,
            incident=incident,
            expected_version=incident.version,
            data={**data, "detected_at": timezone.now() - dt.timedelta(minutes=5)},
            systems=[system],
        )


def test_timeline_entries_are_appended_by_the_teams_only(member, other_team_member, viewer, system):
    incident = IncidentFactory(system=system)
    entry = timeline_add(actor=member, incident=incident, occurred_at=timezone.now(), text="Rotated the API key.")
    assert list(incident.timeline.all()) == [entry] and entry.author == member
    assert AuditEvent.objects.filter(action="incidents.timeline.added", object_id=str(entry.pk)).exists()
    for outsider in (other_team_member, viewer):
        with pytest.raises(PermissionDenied):
            timeline_add(actor=outsider, incident=incident, occurred_at=timezone.now(), text="Me too.")
    Incident.objects.filter(pk=incident.pk).update(status="closed")
    with pytest.raises(ValidationError):
        timeline_add(actor=member, incident=incident, occurred_at=timezone.now(), text="Late.")


def test_a_follow_up_from_an_incident_is_routed_by_its_domain(member, lead, system, safety_team):
    incident = IncidentFactory(system=system, domain="safety", hostile_intent=False, harm_in_benign_use=True)
    follow_up = incident_follow_up(
        actor=member, incident=incident, system=system, title="Add a self-harm classifier", due_date=None
    )
    assert follow_up.owner_team == safety_team and follow_up.ai_system == system
    assert follow_up.source_type == ContentType.objects.get_for_model(Incident) and follow_up.source_id == incident.pk
    with pytest.raises(ValidationError):
        incident_follow_up(actor=member, incident=incident, system=AISystemFactory(organisation=system.organisation))


@pytest.fixture
def closed_incident(system, member):
    control = ControlFactory()
    incident = IncidentFactory(
        system=system,
        severity="critical",
        status="resolved",
        contained_at=timezone.now() - dt.timedelta(minutes=30),
        resolved_at=timezone.now() - dt.timedelta(minutes=10),
    )
    incident = review_save(
        actor=member,
        incident=incident,
        expected_version=incident.version,
        data={"root_cause": "The retrieval index held an unfiltered page."},
        controls=[control],
    )
    Incident.objects.filter(pk=incident.pk).update(status="closed", closed_at=timezone.now())
    incident.refresh_from_db()
    return incident


def test_a_closed_incident_raises_a_prefilled_risk_in_one_step(closed_incident, member, system):
    risk = risk_from_incident(
        actor=member, incident=closed_incident, system=system, expected_version=closed_incident.version
    )
    assert risk.status == "draft" and risk.ai_system == system and risk.author == member
    assert risk.title == closed_incident.title and risk.domain == "security"
    assert "The retrieval index held an unfiltered page." in risk.description
    assert (risk.inherent_likelihood, risk.inherent_impact) == (4, 5)
    assert list(risk.controls.all()) == list(closed_incident.controls.all())
    assert list(closed_incident.risks.all()) == [risk]
    event = AuditEvent.objects.get(action="incidents.incident.risk_raised")
    assert event.after["risks"] == [risk.pk] and event.after["risk"] == risk.pk
    assert AuditEvent.objects.filter(action="risks.riskscenario.created", object_id=str(risk.pk)).exists()


def test_no_risk_from_an_incident_that_is_not_closed(system, member):
    incident = IncidentFactory(system=system)
    with pytest.raises(ValidationError):
        risk_from_incident(actor=member, incident=incident, system=system, expected_version=incident.version)
    assert not RiskScenario.objects.exists()


def test_only_the_systems_team_and_leads_raise_the_risk(closed_incident, other_team_member, system):
    with pytest.raises(PermissionDenied):
        risk_from_incident(
            actor=other_team_member, incident=closed_incident, system=system, expected_version=closed_incident.version
        )
    assert not RiskScenario.objects.exists()


def test_open_counts_per_domain_and_per_system_take_one_query_each(org, system, team):
    second = AISystemFactory(organisation=org, owner_team=team)
    IncidentFactory(system=system, systems=[system, second])
    IncidentFactory(system=system, domain="safety", status="contained", contained_at=timezone.now())
    IncidentFactory(
        system=second, status="resolved", contained_at=timezone.now(), resolved_at=timezone.now()
    )  # no longer open
    IncidentFactory(system=AISystemFactory())  # another organisation
    with CaptureQueriesContext(connection) as queries:
        by_domain = open_counts(org, by="domain")
        by_system = open_counts(org, by="system")
    assert len(queries) == 2
    assert by_domain == {"security": 1, "safety": 1, "both": 0}
    assert by_system == {
        system.pk: {"total": 2, "security": 1, "safety": 1, "both": 0},
        second.pk: {"total": 1, "security": 1, "safety": 0, "both": 0},
    }
    assert open_counts(org, system_ids=[second.pk]) == {second.pk: by_system[second.pk]}


def test_the_playbook_in_use_brings_its_approved_plan(member, org, system):
    from tests.response.factories import PlanFactory, PlaybookFactory

    plan = PlanFactory(ai_system=system, status="approved")
    playbook = PlaybookFactory(plan=plan)
    incident = report(member, org, [system], playbook=playbook)
    assert (incident.plan, incident.playbook) == (plan, playbook)
    event = AuditEvent.objects.get(action="incidents.incident.reported")
    assert event.after["plan"] == plan.pk and event.after["playbook"] == playbook.pk


def test_a_draft_plan_or_another_plans_playbook_is_refused(member, org, system):
    from tests.response.factories import PlanFactory, PlaybookFactory

    draft = PlanFactory(ai_system=system)
    with pytest.raises(ValidationError):
        report(member, org, [system], plan=draft)
    approved = PlanFactory(ai_system=system, status="approved")
    with pytest.raises(ValidationError):
        report(member, org, [system], plan=approved, playbook=PlaybookFactory(plan=PlanFactory(status="approved")))
    assert not Incident.objects.exists()
