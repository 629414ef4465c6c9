"""Matrix rows for the risk register and the shared record pages: everyone reads; members work
on the risks of their teams; leads accept. The world's risks are owned by the world's team."""

from django.utils import timezone

from accounts.models import Role
from governance.models import Scenario
from tests.factories import UserFactory
from tests.risks.factories import FollowUpFactory, RiskScenarioFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)
LEADS = at_least(Role.LEAD)


def extend_world(world):
    system, author = world["system"], UserFactory(username="matrix-risk-author")
    world["risk_draft"] = RiskScenarioFactory(ai_system=system, author=author)
    world["risk_approved"] = RiskScenarioFactory(
        ai_system=system, author=author, status="approved", treatment="accept", approved_at=timezone.now()
    )
    world["risk_pending"] = RiskScenarioFactory(
        ai_system=system,
        author=author,
        status="approved",
        treatment="accept",
        domain="both",
        acceptance="pending",
        accepted_by=author,
        accepted_sides="safety",
    )
    world["risk_scenario"] = Scenario.objects.create(
        ref="MATRIX-1",
        title="Matrix example",
        description="An example.",
        hostile_intent=True,
        harm_in_benign_use=False,
        expected_domain="security",
    )
    world["follow_up"] = FollowUpFactory(source=world["risk_draft"], owner_team=world["team"])


def pk(key):
    return lambda w: {"pk": w[key].pk}


def version(key, **extra):
    return lambda w: {"version": w[key].version, **extra}


def system(w):
    return {"pk": w["system"].pk}


ROWS = {
    "risks:register": Row(),
    "risks:system_risks": Row(system),
    "risks:risk_create": Row(system, allowed=MEMBERS, team_scoped=True),
    "risks:risk_add_example": Row(
        system,
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"scenario": w["risk_scenario"].pk},
    ),
    "risks:risk_detail": Row(pk("risk_draft")),
    "risks:risk_edit": Row(pk("risk_draft"), allowed=MEMBERS, team_scoped=True),
    "risks:risk_accept": Row(pk("risk_approved"), allowed=LEADS),
    "risks:risk_cosign": Row(pk("risk_pending"), allowed=LEADS, method="post", ok=(302,), data=version("risk_pending")),
    "risks:risk_act": Row(
        pk("risk_draft"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("risk_draft", action="submit"),
    ),
    "risks:risk_new_version": Row(
        pk("risk_approved"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("risk_approved"),
    ),
    "risks:risk_history": Row(pk("risk_draft")),
    "risks:risk_compare": Row(pk("risk_draft")),
    "risks:risk_follow_up": Row(pk("risk_draft"), allowed=MEMBERS, team_scoped=True),
    "records:follow_up_act": Row(
        pk("follow_up"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("follow_up", action="close"),
    ),
}
