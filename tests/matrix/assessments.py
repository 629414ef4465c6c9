"""Matrix rows for assessments: everyone reads; members work on what their team owns; leads run
assessments, review and route. Every role of the matrix is a member of the team that owns the
world's system, so team rules admit them and the role decides."""

from django.utils import timezone

from accounts.models import Role
from assessments.models import AssessmentStatus, RerouteJob
from tests.assessments.factories import (
    AssessmentFactory,
    ControlAssignmentFactory,
    EvidenceFactory,
    OwnershipRuleFactory,
)
from tests.factories import AISystemFactory, ControlFactory, UserFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)
LEADS = at_least(Role.LEAD)


def extend_world(world):
    org, team, admin = world["org"], world["team"], world["users"][Role.ADMIN]

    def system(name):
        return AISystemFactory(organisation=org, owner_team=team, name=name)

    def assessment(name, **fields):
        return AssessmentFactory(ai_system=system(name), started_by=admin, **fields)

    world["as_working"] = AssessmentFactory(ai_system=world["system"], started_by=admin)
    world["as_assignment"] = ControlAssignmentFactory(ai_system=world["system"], control=ControlFactory(mappings=[]))
    world["as_evidence"] = EvidenceFactory(assignment=world["as_assignment"], uploaded_by=admin, with_file=True)
    world["as_draft"] = assessment("Matrix draft", status=AssessmentStatus.DRAFT)
    # Nothing left open: submittable.
    world["as_submittable"] = assessment("Matrix working")
    # Submitted by a lead outside the matrix roles, so every lead of the matrix may review it.
    world["as_in_review"] = assessment(
        "Matrix review",
        status=AssessmentStatus.IN_REVIEW,
        submitted_by=UserFactory(username="matrix-submitter"),
        submitted_at=timezone.now(),
    )
    world["as_unassessed"] = system("Matrix unassessed")
    world["as_rule"] = OwnershipRuleFactory(team=team, domain="safety")
    world["as_job"] = RerouteJob.objects.create(organisation=org, requested_by=admin)


def pk(key):
    return lambda w: {"pk": w[key].pk}


def system(w):
    return {"pk": w["system"].pk}


def section(w):
    return {"pk": w["as_draft"].pk, "section": "purpose"}


def assignment_version(w):
    return {"version": w["as_assignment"].version}


def answers(w):
    return {"intended_use": "Answers questions about orders.", "v__intended_use": 0}


ROWS = {
    "assessments:work_list": Row(),
    "assessments:work_bulk": Row(
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {
            "selected": [f"{w['as_assignment'].pk}:{w['as_assignment'].version}"],
            "due_date": "2099-01-31",
        },
    ),
    "assessments:assessment_list": Row(),
    "assessments:assessment_detail": Row(pk("as_working")),
    "assessments:assessment_section": Row(section, allowed=MEMBERS, team_scoped=True),
    "assessments:assessment_section#post": Row(
        section, allowed=MEMBERS, team_scoped=True, method="post", ok=(302,), data=answers
    ),
    "assessments:assessment_plan": Row(pk("as_draft"), allowed=MEMBERS, team_scoped=True),
    "assessments:assessment_submit": Row(
        pk("as_submittable"),
        allowed=LEADS,
        method="post",
        ok=(302,),
        data=lambda w: {"version": w["as_submittable"].version},
    ),
    "assessments:assessment_review": Row(
        pk("as_in_review"),
        allowed=LEADS,
        method="post",
        ok=(302,),
        data=lambda w: {"decision": "approved", "comment": "", "version": w["as_in_review"].version},
    ),
    "assessments:system_assessment": Row(system),
    "assessments:assessment_start": Row(
        pk("as_unassessed"), allowed=LEADS, method="post", ok=(302,), data=lambda w: {"due_date": "2099-01-31"}
    ),
    "assessments:system_controls": Row(system),
    "assessments:assignment_detail": Row(pk("as_assignment")),
    "assessments:assignment_act": Row(
        pk("as_assignment"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"action": "start", **assignment_version(w)},
    ),
    "assessments:assignment_edit": Row(
        pk("as_assignment"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"due_date": "2099-01-31", "owner_team": w["team"].pk, **assignment_version(w)},
    ),
    "assessments:evidence_add": Row(
        pk("as_assignment"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"note": "Reviewed."},
    ),
    "assessments:comment_add": Row(
        pk("as_assignment"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"body": "Looks good."},
    ),
    "assessments:evidence_download": Row(pk("as_evidence")),
    "assessments:routing_list": Row(),
    "assessments:rule_create": Row(allowed=LEADS),
    "assessments:rule_edit": Row(pk("as_rule"), allowed=LEADS),
    "assessments:rule_delete": Row(pk("as_rule"), allowed=LEADS, method="post", ok=(302,)),
    "assessments:reroute_preview": Row(allowed=LEADS),
    "assessments:reroute_status": Row(pk("as_job"), allowed=LEADS),
}
