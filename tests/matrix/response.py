"""Matrix rows for IR plans and tabletop exercises: everyone reads; leads and the owner teams of
the covered systems (the world's team) edit drafts, record tabletops and raise follow-ups."""

import datetime as dt

from accounts.models import Role
from tests.factories import AISystemFactory, UserFactory
from tests.response.factories import PlanFactory, PlanRoleFactory, PlaybookFactory, TabletopFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)


def extend_world(world):
    system = world["system"]
    world["ir_plan"] = plan = PlanFactory(ai_system=system)
    world["ir_plan_approved"] = approved = PlanFactory(ai_system=system, status="approved")
    world["ir_playbook"] = PlaybookFactory(plan=plan)
    PlanRoleFactory(plan=plan)
    world["tabletop"] = TabletopFactory(playbook=PlaybookFactory(plan=approved))
    world["tabletop_approved"] = TabletopFactory(
        playbook=PlaybookFactory(plan=approved), status="approved", held_on=dt.date.today()
    )


def grow(world, times):
    """More plans covering the system, each with more playbooks, roles, tabletops and participants."""
    org = world["org"]
    for i in range(times):
        other = AISystemFactory(organisation=org, owner_team=world["team"], name=f"IR scale {i}")
        plan = PlanFactory(ai_system=world["system"], systems=[other], status="approved" if i % 2 else "draft")
        PlanRoleFactory(plan=plan, role="technical_lead", member=world["users"][Role.MEMBER], name="", email="")
        for p in (plan, world["ir_plan"], world["ir_plan_approved"]):
            PlaybookFactory(plan=p)
        if i < 4:  # the draft's other four roles (one row per role)
            roles = ["technical_lead", "legal_privacy", "communications_lead", "responsible_ai_lead"]
            PlanRoleFactory(plan=world["ir_plan"], role=roles[i])
        tabletop = TabletopFactory(
            playbook=PlaybookFactory(plan=world["ir_plan_approved"]), status="approved", held_on=dt.date.today()
        )
        tabletop.participants.add(UserFactory(), world["users"][Role.MEMBER])
        world["tabletop_approved"].participants.add(UserFactory())


def pk(key):
    return lambda w: {"pk": w[key].pk}


def system(w):
    return {"pk": w["system"].pk}


def version(key, **extra):
    return lambda w: {"version": w[key].version, **extra}


def playbook_data(w):
    return {
        "title": "Renamed",
        "domain": "security",
        "technical_steps": "Contain",
        "communication_steps": "Tell",
        "version": w["ir_playbook"].version,
    }


ROWS = {
    "response:plan_list": Row(),
    "response:system_plans": Row(system),
    "response:plan_create": Row(allowed=MEMBERS, team_scoped=True),
    "response:plan_detail": Row(pk("ir_plan")),
    "response:plan_edit": Row(pk("ir_plan"), allowed=MEMBERS, team_scoped=True),
    "response:plan_roles": Row(pk("ir_plan"), allowed=MEMBERS, team_scoped=True),
    "response:playbook_add": Row(pk("ir_plan"), allowed=MEMBERS, team_scoped=True),
    "response:playbook_edit": Row(pk("ir_playbook"), allowed=MEMBERS, team_scoped=True),
    "response:playbook_edit#post": Row(
        pk("ir_playbook"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,), data=playbook_data
    ),
    "response:playbook_remove": Row(pk("ir_playbook"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,)),
    "response:plan_act": Row(
        pk("ir_plan"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("ir_plan", action="submit"),
    ),
    "response:plan_new_version": Row(
        pk("ir_plan_approved"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("ir_plan_approved"),
    ),
    "response:plan_history": Row(pk("ir_plan")),
    "response:plan_compare": Row(pk("ir_plan")),
    "response:plan_follow_up": Row(pk("ir_plan"), allowed=MEMBERS, team_scoped=True),
    "response:tabletop_create": Row(pk("ir_plan_approved"), allowed=MEMBERS, team_scoped=True),
    "response:tabletop_detail": Row(pk("tabletop_approved")),
    "response:tabletop_edit": Row(pk("tabletop"), allowed=MEMBERS, team_scoped=True),
    "response:tabletop_act": Row(
        pk("tabletop"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("tabletop", action="submit"),
    ),
    "response:tabletop_new_version": Row(
        pk("tabletop_approved"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("tabletop_approved"),
    ),
    "response:tabletop_history": Row(pk("tabletop")),
    "response:tabletop_compare": Row(pk("tabletop")),
    "response:tabletop_follow_up": Row(pk("tabletop"), allowed=MEMBERS, team_scoped=True),
}
