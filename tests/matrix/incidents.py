"""Matrix rows for incidents: everyone reads; any member reports; the incident's teams (its
domain's team and the affected systems' owner teams) and leads work on it. The world's incidents
are owned by the world's team."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import Role
from incidents.models import Incident
from records.models import FollowUp
from tests.factories import AISystemFactory, ControlFactory, ThreatFactory, UserFactory
from tests.incidents.factories import IncidentFactory, TimelineEntryFactory
from tests.response.factories import PlanFactory, PlaybookFactory
from tests.risks.factories import RiskScenarioFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)


def extend_world(world):
    system, author = world["system"], UserFactory(username="matrix-incident-reporter")
    now = timezone.now()
    plan = PlanFactory(ai_system=system, author=author, status="approved", title="Matrix IR plan")
    world["incident_open"] = IncidentFactory(
        system=system, reported_by=author, plan=plan, playbook=PlaybookFactory(plan=plan)
    )
    world["incident_contained"] = IncidentFactory(
        system=system, reported_by=author, status="contained", contained_at=now - dt.timedelta(hours=1)
    )
    world["incident_closed"] = IncidentFactory(
        system=system,
        reported_by=author,
        status="closed",
        contained_at=now - dt.timedelta(hours=1),
        resolved_at=now - dt.timedelta(minutes=30),
        closed_at=now,
        root_cause="A missing output filter.",
        reviewed_at=now,
    )


def pk(key):
    return lambda w: {"pk": w[key].pk}


def system(w):
    return {"pk": w["system"].pk}


def _an_hour_ago():
    return timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


ROWS = {
    "incidents:incident_list": Row(),
    "incidents:incident_report": Row(allowed=MEMBERS),
    "incidents:system_incidents": Row(system),
    "incidents:incident_detail": Row(pk("incident_open")),
    "incidents:incident_edit": Row(pk("incident_open"), allowed=MEMBERS, team_scoped=True),
    "incidents:incident_act": Row(
        pk("incident_open"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"action": "contain", "version": w["incident_open"].version},
    ),
    "incidents:timeline_add": Row(
        pk("incident_open"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"occurred_at": _an_hour_ago(), "text": "Paged the on-call engineer."},
    ),
    "incidents:incident_review": Row(pk("incident_contained"), allowed=MEMBERS, team_scoped=True),
    "incidents:incident_follow_up": Row(pk("incident_open"), allowed=MEMBERS, team_scoped=True),
    "incidents:incident_raise_risk": Row(
        pk("incident_closed"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"version": w["incident_closed"].version, "system": w["system"].pk},
    ),
}


def grow(world, times):
    """More incidents on the world's system (each also on a system of its own), more timeline
    entries, follow-ups and linked library and register records on the incidents the pages show."""
    org, team, system = world["org"], world["team"], world["system"]
    source_type = ContentType.objects.get_for_model(Incident)
    now = timezone.now()
    for i in range(times):
        other = AISystemFactory(organisation=org, owner_team=team, name=f"Incident scale {i}")
        IncidentFactory(
            system=system,
            systems=[system, other],
            severity=["low", "medium", "high", "critical"][i % 4],
            status="resolved",
            contained_at=now - dt.timedelta(minutes=90),
            resolved_at=now - dt.timedelta(minutes=10),
            reported_by=world["users"][Role.MEMBER],
        )
        for key in ("incident_open", "incident_contained", "incident_closed"):
            incident = world[key]
            incident.systems.add(other)
            TimelineEntryFactory(incident=incident, author=world["users"][Role.MEMBER])
            incident.threats.add(ThreatFactory())
            incident.controls.add(ControlFactory())
            incident.risks.add(RiskScenarioFactory(ai_system=system))
            FollowUp.objects.create(
                organisation=org,
                ai_system=system,
                source_type=source_type,
                source_id=incident.pk,
                kind="action",
                title=f"Scale action {i}",
                owner_team=team,
                created_by=world["users"][Role.LEAD],
            )
