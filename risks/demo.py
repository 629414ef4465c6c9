"""Demo risk register of Acme AI: the five library scenarios across the systems, in every state,
with one acceptance that ends within 30 days and one that has expired. Written through the
services as the demo users; skipped when the organisation already has risks (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.services import audited_update
from core.demo import DemoContext
from governance.models import Scenario

from . import services
from .models import RiskScenario
from .workflow import RISK

# system, library scenario, residual (likelihood, impact), treatment, end state, acceptance days
PLAN = [
    ("Support Chatbot", "SCN-1", (2, 4), "mitigate", "approved", None),
    ("Support Chatbot", "SCN-2", (2, 3), "accept", "accepted", 20),
    ("Code Agent", "SCN-3", (3, 3), "accept", "accepted", 200),
    ("Fraud Classifier", "SCN-4", (2, 4), "accept", "expired", 5),
    ("Hiring Screener", "SCN-5", (4, 4), "mitigate", "in_review", None),
]
CUSTOM = [
    ("Pricing RL Agent", "Reward hacking sets prices that exploit loyal customers", False, True, (3, 4)),
    ("Frontier Research Model", "Model weights copied from the evaluation cluster", True, False, (2, 5)),
]


def _take(risk, actor, name, text=""):
    return RISK.take(actor=actor, record=risk, name=name, expected_version=risk.version, text=text)


def seed(ctx: DemoContext) -> None:
    if RiskScenario.objects.filter(organisation=ctx.org).exists():
        ctx.log("  risks: already present")
        return
    scenarios = {s.ref: s for s in Scenario.objects.builtin()}
    if not scenarios:
        ctx.log("  risks: skipped, the library is not loaded")
        return
    admin, lead, lead2 = ctx.users["admin"], ctx.users["lead"], ctx.users["lead2"]
    today = timezone.localdate()
    for system_name, ref, (likelihood, impact), treatment, end, days in PLAN:
        scenario = scenarios[ref]
        data = {
            "title": scenario.title,
            "description": scenario.description,
            "hostile_intent": scenario.hostile_intent,
            "harm_in_benign_use": scenario.harm_in_benign_use,
            "scenario": scenario,
            "inherent_likelihood": min(likelihood + 2, 5),
            "inherent_impact": impact,
            "residual_likelihood": likelihood,
            "residual_impact": impact,
            "treatment": treatment,
        }
        risk = services.risk_create(
            actor=admin, system=ctx.systems[system_name], data=data, controls=list(scenario.controls.all())
        )
        risk = _take(risk, admin, "submit")
        if end == "in_review":
            continue
        risk = _take(risk, lead, "approve", "Rated with the owner team.")
        if days is None:
            continue
        first, second = (lead2, lead) if risk.domain == "safety" else (lead, lead2)
        risk = services.risk_accept(
            actor=first,
            risk=risk,
            expected_version=risk.version,
            rationale="Residual risk is within appetite while the planned controls are built.",
            until=today + dt.timedelta(days=days),
        )
        if risk.domain == "both":
            risk = services.risk_cosign_acceptance(actor=second, risk=risk, expected_version=risk.version)
        if end == "expired":
            # Demo only, in the audit trail: the acceptance moves half a year back, so its end has
            # passed; then the daily task's service reopens it as it would.
            with transaction.atomic():
                risk = audited_update(
                    risk,
                    actor=None,
                    action="risks.riskscenario.demo_dates_moved",
                    expected_version=risk.version,
                    changes={
                        "accepted_at": timezone.now() - dt.timedelta(days=180),
                        "acceptance_until": today - dt.timedelta(days=2),
                    },
                )
            services.acceptances_expire(today, among=RiskScenario.objects.filter(pk=risk.pk))
    for system_name, title, hostile, benign, (likelihood, impact) in CUSTOM:
        services.risk_create(
            actor=admin,
            system=ctx.systems[system_name],
            data={
                "title": title,
                "description": title + ".",
                "hostile_intent": hostile,
                "harm_in_benign_use": benign,
                "inherent_likelihood": likelihood,
                "inherent_impact": impact,
                "residual_likelihood": likelihood,
                "residual_impact": impact,
                "treatment": "mitigate",
            },
        )
    ctx.log(f"  risks: {RiskScenario.objects.filter(organisation=ctx.org).count()} risk scenarios")
