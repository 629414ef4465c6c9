"""Demo regulatory documents of Acme AI: Hiring Screener's technical-file statements (some left
open, so the draft shows its missing information), an approved fundamental-rights impact
assessment of Hiring Screener, and the organisation's ISO/IEC 42001 Statement of Applicability
with some decisions. Written through the services as the demo users; each part is skipped when
it is already there (idempotent). Runs after the components seeder."""

from __future__ import annotations

from core.demo import DemoContext
from governance.models import FrameworkItem

from . import services
from .models import FundamentalRightsAssessment, SoADecision, TechnicalFile
from .workflow import FRIA

SYSTEM = "Hiring Screener"

STATEMENTS = {
    "instructions_for_use": (
        "Recruiters get a one-page guide in the recruiting tool: the ranking is a suggestion, every rejection "
        "is decided by a recruiter, and a candidate may ask for a human-only review."
    ),
    "hardware_and_deployment": (
        "Runs as an internal web service on the ML Platform's GPU cluster (one A100 per replica); supplied "
        "only inside the company's recruiting tool, never as a download."
    ),
    "design_choices": (
        "A fine-tuned open-weights model ranks CVs against the job profile; names, photos and dates of birth "
        "are removed before ranking to limit proxies for protected traits."
    ),
}

FRIA_ANSWERS = {
    "period_and_frequency": (
        "In use for every open engineering role from the next hiring round, for at least 12 months; about "
        "300 applications a week, ranked as they arrive."
    ),
    "complaint_handling": (
        "Candidates write to the recruiting team's address given in every rejection e-mail; a recruiter who "
        "did not take the decision reviews the application within 10 working days and answers in writing."
    ),
    "mitigation_measures": (
        "If a bias check or a complaint shows unfair ranking, recruiters switch to manual screening the same "
        "day, the Responsible AI team investigates, and affected candidates are re-reviewed by hand."
    ),
}

SOA = [
    ("A.2.2", "included", "Our AI policy covers every system in the inventory."),
    ("A.3.2", "included", "Owner teams and governance leads are named for each system."),
    ("A.5.2", "included", "Impact assessments run for every system that decides about people."),
    ("A.6.2.4", "included", "Verification and validation are part of each system's controls."),
    ("A.7.4", "included", "Data quality checks are required before training or fine-tuning."),
    ("A.9.4", "included", "Use outside the intended purpose is monitored."),
    ("A.10.4", "excluded", "We sell no AI system to customers: duties towards customers do not arise yet."),
]


def seed(ctx: DemoContext) -> None:
    system = ctx.systems.get(SYSTEM)
    if system is None:
        ctx.log("  regulatory: skipped, no Hiring Screener")
        return
    lead, lead2 = ctx.users["lead"], ctx.users["lead2"]
    if not TechnicalFile.objects.filter(ai_system=system).exists():
        services.technical_file_save(actor=lead2, system=system, data=STATEMENTS, expected_version=None)
    if not FundamentalRightsAssessment.objects.filter(ai_system=system).exists():
        data = {**services.fria_prefill(system), **FRIA_ANSWERS}
        fria = services.fria_create(actor=lead2, system=system, data=data)
        fria = FRIA.take(actor=lead2, record=fria, name="submit", expected_version=fria.version)
        FRIA.take(
            actor=lead,
            record=fria,
            name="approve",
            expected_version=fria.version,
            text="Reviewed with the recruiting team and the works council.",
        )
    items = {
        i.ref: i
        for i in FrameworkItem.objects.filter(
            framework__key="iso-42001-2023", framework__organisation__isnull=True, ref__in=[r for r, _a, _j in SOA]
        )
    }
    decided = set(
        SoADecision.objects.filter(organisation=ctx.org, item__in=items.values()).values_list("item_id", flat=True)
    )
    for ref, applicability, justification in SOA:
        item = items.get(ref)
        if item is None or item.pk in decided:
            continue
        services.soa_decide(
            actor=lead,
            organisation=ctx.org,
            item=item,
            applicability=applicability,
            justification=justification,
            expected_version=None,
        )
    ctx.log("  regulatory: Hiring Screener technical file and FRIA, ISO/IEC 42001 Statement of Applicability")
