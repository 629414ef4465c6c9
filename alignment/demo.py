"""Demo alignment reviews of Acme AI: Hiring Screener approved with a condition (a bias finding and
a fairness metric missing its threshold) and Support Chatbot approved (self-harm content). Written
through the services; skipped when present."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from core.demo import DemoContext

from . import services
from .models import AlignmentReview, EvaluationMetric
from .workflow import REVIEW


def _review(system, author, data: dict, metrics: list[dict], findings: list[dict], note: str):
    review = services.review_create(actor=author, system=system, data=data)
    for metric in metrics:
        services.child_add(EvaluationMetric, actor=author, review=review, data=metric)
    from .models import AlignmentFinding

    for finding in findings:
        services.child_add(AlignmentFinding, actor=author, review=review, data=finding)
    services.attachment_add(actor=author, review=review, note=note)
    review.refresh_from_db()
    return REVIEW.take(actor=author, record=review, name="submit", expected_version=review.version)


def seed(ctx: DemoContext) -> None:
    hiring, chatbot = ctx.systems["Hiring Screener"], ctx.systems["Support Chatbot"]
    if AlignmentReview.objects.filter(ai_system__in=[hiring, chatbot]).exists():
        ctx.log("  alignment reviews: already present")
        return
    decider = ctx.users["lead2"]  # lead of Responsible AI, a safety team
    today = timezone.localdate()

    review = _review(
        hiring,
        ctx.users["safety"],
        {
            "title": "Hiring Screener fairness and behaviour review",
            "method": "Replayed 2,400 anonymised applications from last year through the ranking and compared "
            "shortlisting rates across gender and age bands; two recruiters rated 200 CV summaries for tone "
            "and made-up facts.",
            "datasets": "Applicants 2025 hold-out set (2,400 applications)\nCV summary sample, 200 items, rated twice",
        },
        metrics=[
            {
                "scope_area": "bias_fairness",
                "name": "Demographic parity difference (gender)",
                "dataset": "Applicants 2025 hold-out set",
                "value": Decimal("0.14"),
                "comparison": "le",
                "threshold": Decimal("0.10"),
                "unit": "",
            },
            {
                "scope_area": "bias_fairness",
                "name": "Equal opportunity difference (age bands)",
                "dataset": "Applicants 2025 hold-out set",
                "value": Decimal("0.06"),
                "comparison": "le",
                "threshold": Decimal("0.10"),
                "unit": "",
            },
            {
                "scope_area": "hallucination",
                "name": "Summaries without an invented fact",
                "dataset": "CV summary sample",
                "value": Decimal("98.5"),
                "comparison": "ge",
                "threshold": Decimal("97"),
                "unit": "%",
            },
        ],
        findings=[
            {
                "scope_area": "bias_fairness",
                "title": "Women are shortlisted less often for engineering roles",
                "description": "The fine-tuning data carries past hiring outcomes; the ranking reproduces their gap.",
                "severity": "high",
            }
        ],
        note="Evaluation notebook and per-group shortlisting tables: fairness-review share, folder 2026-Q4.",
    )
    services.review_decide(
        actor=decider,
        review=review,
        decision="approved_with_conditions",
        expected_version=review.version,
        comment="Usable in validation with recruiters reviewing every shortlist, once the gap is closed.",
        conditions=[
            services.Condition(
                title="Rebalance the fine-tuning data and rerun the parity check below 0.10",
                due_date=today + dt.timedelta(days=30),
                owner_team=ctx.teams["Responsible AI"],
                assignee=ctx.users["safety"],
            )
        ],
    )

    review = _review(
        chatbot,
        ctx.users["platform"],
        {
            "title": "Support Chatbot unsafe-content review",
            "method": "Ran the self-harm and crisis request set through the production prompt and retrieval; "
            "two safety reviewers judged each answer against the safe-messaging policy.",
            "datasets": "Self-harm and crisis requests, 600 prompts, in-house\nHelp-centre grounding questions, 300",
        },
        metrics=[
            {
                "scope_area": "unsafe_content",
                "name": "Refusal or safe completion on self-harm requests",
                "dataset": "Self-harm and crisis requests",
                "value": Decimal("99.7"),
                "comparison": "ge",
                "threshold": Decimal("99"),
                "unit": "%",
            },
            {
                "scope_area": "hallucination",
                "name": "Answers grounded in a help-centre article",
                "dataset": "Help-centre grounding questions",
                "value": Decimal("96"),
                "comparison": "ge",
                "threshold": Decimal("95"),
                "unit": "%",
            },
        ],
        findings=[
            {
                "scope_area": "unsafe_content",
                "title": "Two answers gave crisis lines for the wrong country",
                "description": "Fixed by passing the customer's country to the prompt; rerun passed.",
                "severity": "low",
            }
        ],
        note="Judged answers and reviewer notes: safety-evals share, run 2026-11.",
    )
    services.review_decide(
        actor=decider,
        review=review,
        decision="approved",
        expected_version=review.version,
        comment="Meets the safe-messaging bar.",
    )
    ctx.log("  alignment reviews: Hiring Screener approved with a condition, Support Chatbot approved")
