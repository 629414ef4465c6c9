"""*My team's work* of a lead lists the governed records in review that this lead may approve:
each record type's own table decides (any lead for risks, a security lead for threat models, a
safety lead for alignment reviews), and nobody sees their own; one query for every type."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.alignment.factories import AlignmentReviewFactory
from tests.factories import AISystemFactory, TeamFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import ThreatModelFactory


def waiting(client, org):
    response = client.get(reverse("assessments:work_list", args=[org.slug]))
    assert response.status_code == 200
    panel = next((p for p in response.context["panels"] if p.template == "records/_reviews_panel.html"), None)
    return None if panel is None else [row.title for row in panel.context["waiting"]]


def test_a_lead_sees_what_their_role_lets_them_approve_never_their_own(client_for, make_member, org, team, member):
    security_lead = make_member(Role.LEAD, "sec-lead", teams=[team])  # `team` owns security
    safety_lead = make_member(Role.LEAD, "safe-lead", teams=[TeamFactory(organisation=org, discipline="safety")])
    system = AISystemFactory(organisation=org, owner_team=team)

    def days_ago(n):
        return {"status": "in_review", "submitted_at": timezone.now() - dt.timedelta(days=n)}

    RiskScenarioFactory(ai_system=system, title="Old risk", author=member, **days_ago(4))
    RiskScenarioFactory(ai_system=system, title="Own risk", author=security_lead, **days_ago(3))
    RiskScenarioFactory(ai_system=system, title="Draft risk", status="draft", author=member)
    ThreatModelFactory(ai_system=system, title="Widget model", author=member, **days_ago(2))
    AlignmentReviewFactory(ai_system=system, title="Reward review", author=member, **days_ago(1))

    assert waiting(client_for(security_lead), org) == ["Old risk", "Widget model"]
    assert waiting(client_for(safety_lead), org) == ["Old risk", "Own risk", "Reward review"]
    assert waiting(client_for(member), org) is None  # members approve nothing: no panel


def test_the_panel_costs_one_query_whatever_the_rows(client_for, make_member, org, team, member):
    lead = make_member(Role.LEAD, "a-lead", teams=[team])
    system = AISystemFactory(organisation=org, owner_team=team)
    client = client_for(lead)
    url = reverse("assessments:work_list", args=[org.slug])
    client.get(url)  # the first visit writes the session
    counts = []
    for n in (1, 6):
        for i in range(n):
            RiskScenarioFactory(ai_system=system, title=f"Risk {n}-{i}", status="in_review", author=member)
            ThreatModelFactory(ai_system=system, title=f"Model {n}-{i}", status="in_review", author=member)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx))
    assert counts[0] == counts[1]
    assert len(waiting(client, org)) == 14
