"""Demo incidents of Acme AI: a safety incident on Support Chatbot six weeks ago (a harmful answer
reached a user), contained, resolved, reviewed and closed, and a security incident still open
(a suspected prompt-injection leak of the system prompt) with its timeline so far. Written
through the services as the demo users, with the times backdated to when things happened;
skipped when the organisation already has incidents (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.demo import DemoContext
from governance.models import Control, Threat
from risks.models import RiskScenario

from . import services
from .models import Incident


def _playbook(ctx: DemoContext, key: str):
    """The approved demo plan's playbook for this incident type, if the response demo ran."""
    from response.models import Playbook

    return (
        Playbook.objects.filter(organisation=ctx.org, plan__status="approved", template_key=key)
        .select_related("plan")
        .order_by("-plan__record_version")
        .first()
    )


def _at(day: dt.datetime, hours: float) -> dt.datetime:
    return day + dt.timedelta(hours=hours)


def seed(ctx: DemoContext) -> None:
    if Incident.objects.filter(organisation=ctx.org).exists():
        ctx.log("  incidents: already present")
        return
    if "Support Chatbot" not in ctx.systems:
        ctx.log("  incidents: skipped, the inventory is not seeded")
        return
    chatbot = ctx.systems["Support Chatbot"]
    safety, security, lead, lead2 = (ctx.users[k] for k in ("safety", "security", "lead", "lead2"))
    now = timezone.now().replace(second=0, microsecond=0)
    _closed_safety_incident(ctx, chatbot, safety, lead2, now)
    _open_security_incident(ctx, chatbot, security, lead, now)
    ctx.log(f"  incidents: {Incident.objects.filter(organisation=ctx.org).count()} incidents")


def _closed_safety_incident(ctx, chatbot, reporter, closer, now) -> None:
    detected = (now - dt.timedelta(days=41)).replace(hour=14, minute=20)
    playbook = _playbook(ctx, "harmful_output")
    incident = services.incident_report(
        actor=reporter,
        organisation=ctx.org,
        systems=[chatbot],
        data={
            "title": "Harmful answer reached a user in distress",
            "description": "A customer wrote that they felt hopeless while asking about a late refund. The "
            "assistant answered the refund question and then listed medication quantities in reply to a "
            "follow-up, instead of pointing to crisis support. The customer's relative reported it to support.",
            "detected_at": detected,
            "severity": "critical",
            "hostile_intent": False,
            "harm_in_benign_use": True,
            "plan": playbook.plan if playbook else None,
            "playbook": playbook,
        },
    )
    for hours, text in [
        (0.25, "Support escalated the conversation to the on-call responsible-AI engineer."),
        (1.0, "Reproduced with a paraphrase of the follow-up; the output moderation let it through."),
        (2.1, "Turned on the strict self-harm filter for every conversation; the answer is now refused."),
        (26.0, "The customer's relative was called back and given the crisis line; legal informed."),
        (70.0, "New moderation model version deployed and the regression set extended with the case."),
    ]:
        services.timeline_add(actor=reporter, incident=incident, occurred_at=_at(detected, hours), text=text)
    incident = services.incident_act(
        actor=reporter, incident=incident, name="contain", expected_version=incident.version, at=_at(detected, 2.2)
    )
    incident = services.incident_act(
        actor=reporter, incident=incident, name="resolve", expected_version=incident.version, at=_at(detected, 72.5)
    )
    controls = list(Control.objects.builtin().filter(ref__in=["GR-01", "GR-02"]))
    incident = services.review_save(
        actor=reporter,
        incident=incident,
        expected_version=incident.version,
        data={
            "root_cause": "A model upgrade two weeks earlier changed how the assistant phrases follow-ups; the "
            "output moderation had been tuned on the old phrasing and missed the paraphrase. No regression "
            "set covered self-harm in multi-turn conversations.",
            "went_well": "Support escalated within fifteen minutes; the strict filter was a switch, not a deploy.",
            "went_badly": "Nobody owned re-tuning the moderation after the model upgrade; the relative waited a "
            "day for a call back.",
        },
        threats=list(Threat.objects.filter(organisation__isnull=True, ref="TH-41")),
        controls=controls,
        risks=list(
            RiskScenario.objects.for_org(ctx.org).latest().filter(ai_system=chatbot, harm_in_benign_use=True)[:1]
        ),
    )
    services.incident_follow_up(
        actor=reporter,
        incident=incident,
        system=chatbot,
        title="Re-run the self-harm regression set after every model upgrade",
        due_date=(now + dt.timedelta(days=20)).date(),
    )
    services.incident_act(actor=closer, incident=incident, name="close", expected_version=incident.version)


def _open_security_incident(ctx, chatbot, reporter, lead, now) -> None:
    detected = now - dt.timedelta(hours=5, minutes=40)
    playbook = _playbook(ctx, "prompt_injection_leak")
    incident = services.incident_report(
        actor=reporter,
        organisation=ctx.org,
        systems=[chatbot],
        data={
            "title": "Suspected prompt-injection leak of the system prompt",
            "description": "A post on a public forum quotes what looks like the assistant's internal "
            "instructions, including the name of an internal refund tool. It may have been extracted with "
            "instructions hidden in a pasted order confirmation.",
            "detected_at": detected,
            "severity": "high",
            "hostile_intent": True,
            "harm_in_benign_use": False,
            "plan": playbook.plan if playbook else None,
            "playbook": playbook,
        },
    )
    for hours, text in [
        (0.1, "Forum post reported by the community team; screenshot saved to the incident folder."),
        (0.6, "Compared the quoted text with the deployed prompt: about 80 % matches, version from last month."),
        (1.5, "Found three conversations with a pasted 'order confirmation' carrying hidden instructions."),
        (4.8, "Canary token rotated; the refund tool now requires a signed order id. Watching for reuse."),
    ]:
        author = lead if hours > 4 else reporter
        services.timeline_add(actor=author, incident=incident, occurred_at=_at(detected, hours), text=text)
