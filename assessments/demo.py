"""Demo assessments of Acme AI: one approved, two in progress, assignments in every state.

Everything goes through the services, as the demo users, so the audit trail and the readiness
figures are what real use would produce. Systems that already have an assessment are left
alone, so running seed_demo again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.demo import DemoContext
from governance.models import Control

from . import questionnaire as q
from .evidence import validate_upload
from .models import AssignmentStatus, ControlAssignment, OwnershipRule
from .services import assessments as assessment_services
from .services import assignments as work
from .services.routing import ownership_rule_create

# Routing beyond the discipline defaults: data governance of both domains is built by ML
# Platform and co-signed by security; incident response of both domains is led by security
# and co-signed by Responsible AI.
RULES = [
    ("both", "data_governance", "ML Platform", "Security Engineering"),
    ("both", "incident_response", "Security Engineering", "Responsible AI"),
]

CONTEXT = {
    "Support Chatbot": {
        "intended_use": "Answers customers' questions about orders, returns and accounts on the public website, "
        "from the help-centre articles.",
        "audiences": ["consumers", "public"],
        "human_oversight": "Nobody checks answers before they are shown; support staff review a daily sample and "
        "customers can ask for a person at any time.",
        "tool_actions": ["none"],
        "data_sources": ["internal_documents"],
        "harm_types": ["psychological", "legal", "reputational"],
        "worst_case": "A distressed customer asks about self-harm and gets an answer that encourages it; the "
        "transcript is shared publicly.",
        "people_affected": "millions",
    },
    "Code Agent": {
        "intended_use": "Helps engineers by turning tickets into pull requests: reads the ticket and the docs, "
        "writes code, runs the tests in a sandbox.",
        "audiences": ["staff"],
        "human_oversight": "Every pull request is reviewed and merged by an engineer; the agent cannot merge.",
        "tool_actions": ["change_records", "call_apis"],
        "data_sources": ["internal_documents", "public_web"],
        "harm_types": ["financial", "reputational"],
        "worst_case": "A poisoned web page makes the agent exfiltrate repository secrets through a test run.",
        "people_affected": "thousands",
    },
    "Hiring Screener": {
        "intended_use": "Ranks applicants for open roles and summarises each CV so recruiters can read the most "
        "relevant first.",
        "audiences": ["staff"],
        "decision_areas": ["employment"],
        "human_oversight": "Recruiters see the ranking and decide whom to invite; they can open every CV.",
        "tool_actions": ["none"],
        "data_sources": ["user_data"],
        "harm_types": ["discrimination", "legal", "reputational"],
        "worst_case": "The ranking systematically pushes down applicants of one gender, and nobody notices for a "
        "hiring season.",
        "people_affected": "thousands",
    },
}


def seed(ctx: DemoContext) -> None:
    if not Control.objects.builtin().exists():
        ctx.log("  assessments: skipped, the library is not loaded")
        return
    _rules(ctx)
    today = timezone.localdate()
    done = []
    for name, shape in [("Support Chatbot", "approved"), ("Code Agent", "working"), ("Hiring Screener", "early")]:
        system = ctx.systems[name]
        if system.assessments.exists():
            continue
        _assess(ctx, system, shape, today)
        done.append(name)
    ctx.log(f"  assessments: {', '.join(done) if done else 'already present'}")


def _rules(ctx: DemoContext) -> None:
    for domain, practice, owner, cosigner in RULES:
        if not OwnershipRule.objects.filter(organisation=ctx.org, domain=domain, practice=practice).exists():
            ownership_rule_create(
                actor=ctx.users["admin"],
                organisation=ctx.org,
                data={
                    "domain": domain,
                    "practice": practice,
                    "team": ctx.teams[owner],
                    "cosigning_team": ctx.teams[cosigner],
                },
            )


def _answers(system, context: dict) -> dict:
    values = {k: v for k, v in system.profile().items() if k in q.PROFILE_QUESTIONS}
    return {**values, **context}


def _assess(ctx: DemoContext, system, shape: str, today: dt.date) -> None:
    lead = ctx.users["lead"]
    started = today - dt.timedelta(days={"approved": 75, "working": 30, "early": 10}[shape])
    due = today + dt.timedelta(days={"approved": -5, "working": 25, "early": 60}[shape])
    assessment = assessment_services.assessment_start(actor=lead, system=system, due_date=due)
    values = _answers(system, CONTEXT[system.name])
    assessment_services.answers_save(actor=lead, assessment=assessment, values=values, versions={})
    assessment.refresh_from_db()
    assessment_services.plan_confirm(
        actor=lead,
        assessment=assessment,
        expected_version=assessment.version,
        system_version=system.version,
        owners={},
        due_date=due,
    )
    assignments = list(
        ControlAssignment.objects.filter(ai_system=system)
        .active()
        .select_related("control", "ai_system", "owner_team", "cosigning_team", "organisation")
        .order_by("control__ref")
    )
    people = _people(ctx)
    for index, assignment in enumerate(assignments):
        _work(ctx, people, assignment, _target(shape, index, assignment.control.domain), today)
    if shape == "approved":
        assessment.refresh_from_db()
        assessment = assessment_services.assessment_submit(
            actor=lead, assessment=assessment, expected_version=assessment.version, note="All controls verified."
        )
        assessment_services.assessment_review(
            actor=ctx.users["lead2"],
            assessment=assessment,
            expected_version=assessment.version,
            decision="approved",
            comment="Evidence checked on a sample of ten controls; approved.",
        )
    # Backdate the demo's timeline so the pages read like weeks of work, not one second.
    system.assessments.filter(pk=assessment.pk).update(created_at=timezone.now() - (today - started))


# Which state each assignment ends in, by its position in the plan (sorted by ref), so every
# state appears and the mix looks like real work: the Code Agent about half done, the Hiring
# Screener just begun.
_WORKING = ["verified", "verified", "implemented", "in_progress", "not_started", "verified", "not_started"]
_EARLY = ["not_started", "in_progress", "not_started", "not_started", "implemented", "not_started", "verified"]


def _target(shape: str, index: int, domain: str) -> str:
    if shape == "approved":
        return "na_approved" if index % 19 == 7 else "verified"
    if index % 17 == 5:
        return "na_pending"
    if index % 23 == 11:
        return "na_approved"
    if shape == "working" and domain == "both" and index % 3 == 0:
        return "half_signed"  # verified by a lead, waiting for the co-signing team
    return (_WORKING if shape == "working" else _EARLY)[index % 7]


def _people(ctx: DemoContext) -> dict:
    """The member who does each team's work (by team id)."""
    workers = {"Security Engineering": "security", "Responsible AI": "safety", "ML Platform": "platform"}
    return {ctx.teams[team].pk: ctx.users[username] for team, username in workers.items()}


def _work(ctx: DemoContext, people: dict, a: ControlAssignment, target: str, today: dt.date) -> None:
    worker = people[a.owner_team_id]
    if target in ("in_progress", "implemented", "half_signed") or (target == "not_started" and a.pk % 2):
        a = work.assignment_update(actor=worker, assignment=a, expected_version=a.version, data={"assignee": worker})
    if target in ("na_pending", "na_approved"):
        a = work.assignment_act(
            actor=worker,
            assignment=a,
            action="propose_na",
            expected_version=a.version,
            text="Covered by the platform-wide control of the same name; nothing specific to this system.",
        )
        if target == "na_approved":
            work.assignment_act(actor=ctx.users["lead2"], assignment=a, action="approve_na", expected_version=a.version)
        return
    if target == "not_started":
        if a.pk % 3 == 0:
            _overdue(worker, a, today)
        return
    if target == "in_progress":
        a = work.assignment_act(actor=worker, assignment=a, action="start", expected_version=a.version)
        if a.pk % 2 == 0:
            work.comment_add(actor=worker, assignment=a, body="Started: collecting the configuration and test runs.")
        if a.pk % 4 == 0:
            _overdue(worker, a, today)
        return
    _evidence(worker, a, today)
    a = work.assignment_act(actor=worker, assignment=a, action="implement", expected_version=a.version)
    if target == "implemented":
        return
    # The owning team's lead verifies (Responsible AI's is lead2, the others' is lead); a
    # control of both domains is co-signed by the co-signing team's member.
    verifier = ctx.users["lead2"] if a.owner_team_id == ctx.teams["Responsible AI"].pk else ctx.users["lead"]
    a = work.assignment_act(actor=verifier, assignment=a, action="verify", expected_version=a.version)
    if a.status == AssignmentStatus.IMPLEMENTED and target != "half_signed":
        work.assignment_act(
            actor=people[a.cosigning_team_id], assignment=a, action="cosign", expected_version=a.version
        )


def _overdue(actor, a: ControlAssignment, today: dt.date) -> None:
    a.refresh_from_db()
    work.assignment_update(
        actor=actor,
        assignment=a,
        expected_version=a.version,
        data={"due_date": today - dt.timedelta(days=3 + a.pk % 9)},
    )


def _evidence(actor, a: ControlAssignment, today: dt.date) -> None:
    ref = a.control.ref
    if ref in ("PH-01", "GR-01", "DG-01"):
        content = (
            f"# {ref} evidence\n\nTest run of {timezone.now():%d %B %Y}: 240 adversarial prompts, "
            "0 successful; the report and the configuration are attached to the ticket.\n"
        ).encode()
        upload = validate_upload(SimpleUploadedFile(f"{ref.lower()}-test-report.md", content, "text/markdown"))
        work.evidence_add(actor=actor, assignment=a, upload=upload, valid_until=today + dt.timedelta(days=180))
    elif a.pk % 3 == 0:
        work.evidence_add(actor=actor, assignment=a, link=f"https://tickets.acme.example/browse/AI-{1000 + a.pk}")
    else:
        work.evidence_add(
            actor=actor,
            assignment=a,
            note=f"{ref} is in place: configuration reviewed and a test run recorded in the team wiki.",
        )
