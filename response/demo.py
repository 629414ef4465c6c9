"""Demo incident response of Acme AI: an approved IR plan covering all six systems with every
playbook template and named contacts, and a tabletop exercise last quarter with two follow-ups.
Written through the services; skipped when present."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.demo import DemoContext
from records.services import follow_up_raise

from . import services
from .models import IncidentResponsePlan
from .templates import all_templates
from .workflow import PLAN, TABLETOP


def _take(workflow, record, actor, name, text=""):
    return workflow.take(actor=actor, record=record, name=name, expected_version=record.version, text=text)


def last_quarter(today: dt.date) -> dt.date:
    """The middle of the calendar quarter before `today`'s."""
    first_of_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    previous = first_of_quarter - dt.timedelta(days=1)
    return dt.date(previous.year, 3 * ((previous.month - 1) // 3) + 2, 15)


def seed(ctx: DemoContext) -> None:
    if IncidentResponsePlan.objects.filter(organisation=ctx.org).exists():
        ctx.log("  IR plans: already present")
        return
    systems = list(ctx.systems.values())
    if len(systems) < 6:
        ctx.log("  IR plans: skipped, the inventory is not seeded")
        return
    lead, lead2, platform = ctx.users["lead"], ctx.users["lead2"], ctx.users["platform"]
    primary = ctx.systems["Support Chatbot"]
    plan = services.plan_create(
        actor=lead,
        primary=primary,
        systems=systems,
        data={
            "title": "Acme AI incident-response plan",
            "scope": "Every AI system Acme runs or provides: security incidents (someone attacks the system) and "
            "safety incidents (the system harms people in normal use), including the reputational side.",
            "escalation_path": "On-call engineer of the owning team triages within the response time\n"
            "Incident commander decides the severity and opens the incident\n"
            "SEV1 or SEV2: legal / privacy and the communications lead join at once\n"
            "SEV1: the chief technology officer is told within the hour",
        },
    )
    taken = set(plan.playbooks.values_list("template_key", flat=True))
    services.playbook_add_templates(actor=lead, plan=plan, keys=[t.key for t in all_templates() if t.key not in taken])
    services.plan_roles_save(
        actor=lead,
        plan=plan,
        rows=[
            {"role": "incident_commander", "member": lead},
            {"role": "technical_lead", "member": platform},
            {
                "role": "communications_lead",
                "name": "Acme press office",
                "email": "press@acme.example",
                "phone": "+44 20 7946 0100",
            },
            {
                "role": "legal_privacy",
                "name": "Morgan Reyes (outside counsel)",
                "email": "m.reyes@counsel.example",
                "phone": "+44 20 7946 0199",
                "notes": "Data-protection officer on retainer",
            },
            {"role": "responsible_ai_lead", "member": lead2},
        ],
    )
    plan.refresh_from_db()
    plan = _take(PLAN, _take(PLAN, plan, lead, "submit"), lead2, "approve", "Covers all six systems.")

    held_on = last_quarter(timezone.localdate())
    playbook = plan.playbooks.get(template_key="prompt_injection_leak")
    tabletop = services.tabletop_create(
        actor=platform,
        plan=plan,
        data={
            "title": "Tabletop: support chatbot leaks another customer's order",
            "held_on": held_on,
            "playbook": playbook,
            "scenario": "A customer posts a screenshot in which the support chatbot shows another customer's order "
            "details after reading a crafted attachment. A journalist asks for comment.",
            "external_participants": "Morgan Reyes (outside counsel)\nAcme press office",
            "timeline": "09:00 screenshot reported through support\n"
            "09:12 incident commander opens a SEV1\n"
            "09:30 attachment parsing switched off; retrieval limited to public articles\n"
            "10:05 affected orders listed from the transcripts\n"
            "10:40 holding statement approved; journalist answered\n"
            "11:30 data-protection notification drafted (72-hour clock started at 09:12)",
            "went_well": "Containment in 18 minutes; the playbook's first steps were clear to the on-call engineer.",
            "went_badly": "Nobody knew who could approve the holding statement; transcripts were hard to search "
            "by customer.",
        },
        m2m={"participants": [lead, lead2, platform, ctx.users["security"]]},
    )
    today = timezone.localdate()
    for title, team, days in [
        ("Name a deputy who approves public statements out of hours", "Responsible AI", 30),
        ("Index chatbot transcripts by customer so affected people are found fast", "ML Platform", 45),
    ]:
        follow_up_raise(
            tabletop,
            actor=platform,
            domain="both",
            practice="incident_response",
            title=title,
            owner_team=ctx.teams[team],
            due_date=today + dt.timedelta(days=days),
        )
    _take(TABLETOP, _take(TABLETOP, tabletop, platform, "submit"), lead2, "approve")
    ctx.log(f"  IR plans: approved plan covering {len(systems)} systems; tabletop of {held_on} with two follow-ups")
