"""Matrix rows for threat models: everyone reads; leads and the system's owner team (the world's
team) edit drafts."""

from accounts.models import Role
from tests.threats.factories import (
    RedTeamExerciseFactory,
    RedTeamFindingFactory,
    ThreatEntryFactory,
    ThreatModelFactory,
)

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)


def extend_world(world):
    world["tm_draft"] = ThreatModelFactory(ai_system=world["system"])
    world["tm_approved"] = ThreatModelFactory(ai_system=world["system"], status="approved")
    world["tm_entry"] = ThreatEntryFactory(threat_model=world["tm_draft"])
    world["rt_draft"] = RedTeamExerciseFactory(ai_system=world["system"])
    world["rt_approved"] = RedTeamExerciseFactory(ai_system=world["system"], status="approved")
    world["rt_finding"] = RedTeamFindingFactory(exercise=world["rt_draft"])


def pk(key):
    return lambda w: {"pk": w[key].pk}


def system(w):
    return {"pk": w["system"].pk}


def version(key, **extra):
    return lambda w: {"version": w[key].version, **extra}


ENTRY = {"likelihood": 3, "impact": 3, "residual_likelihood": 2, "residual_impact": 2}

ROWS = {
    "threats:threat_model_list": Row(),
    "threats:system_threat_models": Row(system),
    "threats:threat_model_create": Row(system, allowed=MEMBERS, team_scoped=True),
    "threats:threat_model_detail": Row(pk("tm_draft")),
    "threats:threat_model_edit": Row(pk("tm_draft"), allowed=MEMBERS, team_scoped=True),
    "threats:threat_model_suggest": Row(pk("tm_draft"), allowed=MEMBERS, team_scoped=True),
    "threats:entry_add": Row(pk("tm_draft"), allowed=MEMBERS, team_scoped=True),
    "threats:entry_edit": Row(
        pk("tm_entry"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"threat": w["tm_entry"].threat_id, "version": w["tm_entry"].version, **ENTRY},
    ),
    "threats:entry_remove": Row(pk("tm_entry"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,)),
    "threats:threat_model_act": Row(
        pk("tm_draft"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("tm_draft", action="submit"),
    ),
    "threats:threat_model_new_version": Row(
        pk("tm_approved"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,), data=version("tm_approved")
    ),
    "threats:threat_model_history": Row(pk("tm_draft")),
    "threats:threat_model_compare": Row(pk("tm_draft")),
    "threats:threat_model_follow_up": Row(pk("tm_draft"), allowed=MEMBERS, team_scoped=True),
    "threats:exercise_list": Row(),
    "threats:system_exercises": Row(system),
    "threats:exercise_create": Row(system, allowed=MEMBERS, team_scoped=True),
    "threats:exercise_detail": Row(pk("rt_draft")),
    "threats:exercise_edit": Row(pk("rt_draft"), allowed=MEMBERS, team_scoped=True),
    "threats:finding_add": Row(pk("rt_draft"), allowed=MEMBERS, team_scoped=True),
    "threats:findings_import": Row(pk("rt_draft"), allowed=MEMBERS, team_scoped=True),
    "threats:finding_edit": Row(pk("rt_finding")),
    "threats:finding_edit#post": Row(
        pk("rt_finding"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {
            "title": "Renamed",
            "severity": "low",
            "hostile_intent": "on",
            "status": "open",
            "version": w["rt_finding"].version,
        },
    ),
    "threats:exercise_act": Row(
        pk("rt_draft"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("rt_draft", action="submit"),
    ),
    "threats:exercise_new_version": Row(
        pk("rt_approved"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,), data=version("rt_approved")
    ),
    "threats:exercise_history": Row(pk("rt_draft")),
    "threats:exercise_compare": Row(pk("rt_draft")),
    "threats:exercise_follow_up": Row(pk("rt_draft"), allowed=MEMBERS, team_scoped=True),
}
