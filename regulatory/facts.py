"""What Bastion knows about one AI system, read once for the documents written from it.

`system_facts(system)` runs a fixed number of queries whatever the system holds (the latest
assessment and its answers, the latest risks, threat models, red-team exercises with their open
findings, the active control assignments with their EU AI Act articles and evidence counts); the
FRIA pre-fill and the Annex IV draft only format what it returns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q

EU_AI_ACT = "eu-ai-act-2024"


@dataclass
class AssignmentFact:
    control_ref: str
    control_title: str
    status: str
    status_label: str
    evidence: int
    pk: int


@dataclass
class SystemFacts:
    system: Any
    assessment: Any = None
    answers: dict[str, Any] = field(default_factory=dict)
    risks: list[Any] = field(default_factory=list)
    threat_models: list[Any] = field(default_factory=list)
    exercises: list[Any] = field(default_factory=list)
    alignment_reviews: list[Any] = field(default_factory=list)
    assignments: list[AssignmentFact] = field(default_factory=list)
    components: Any = None  # components.summary.SystemComponents
    # EU AI Act article ref (e.g. "Art.12") → the system's assignments of controls mapped to it
    by_article: dict[str, list[AssignmentFact]] = field(default_factory=dict)

    def answer(self, key: str) -> Any:
        value = self.answers.get(key)
        return None if value in (None, "", []) else value

    def answer_text(self, key: str) -> str:
        """An answer as people read it (choice labels, yes/no), or "" when unanswered."""
        from assessments.questionnaire import QUESTIONS

        value = self.answer(key)
        if value is None or key not in QUESTIONS:
            return ""
        return QUESTIONS[key].display(value)

    def approved(self, records: list[Any]) -> list[Any]:
        return [r for r in records if r.is_approved]

    def verified_for(self, article: str) -> list[AssignmentFact]:
        return [a for a in self.by_article.get(article, []) if a.status == "verified"]


def system_facts(system) -> SystemFacts:
    from alignment.models import AlignmentReview
    from assessments.models import Assessment, ControlAssignment
    from components import queries as components_summary
    from governance.models import FrameworkItem
    from risks.models import RiskScenario
    from threats.models import RedTeamExercise, ThreatModel

    facts = SystemFacts(system=system)
    facts.assessment = (
        Assessment.objects.filter(ai_system=system).order_by("-created_at", "-pk").prefetch_related("answers").first()
    )
    if facts.assessment is not None:
        facts.answers = {a.question: a.value for a in facts.assessment.answers.all()}
    facts.risks = list(
        RiskScenario.objects.latest()
        .filter(ai_system=system)
        .select_related("owner_team")
        .prefetch_related("controls")
        .order_by("-residual_likelihood", "-residual_impact", "pk")
    )
    facts.threat_models = list(
        ThreatModel.objects.latest().filter(ai_system=system).annotate(entry_count=Count("entries")).order_by("-pk")
    )
    facts.exercises = list(
        RedTeamExercise.objects.latest()
        .filter(ai_system=system)
        .annotate(
            finding_count=Count("findings", distinct=True),
            open_findings=Count("findings", filter=Q(findings__status="open"), distinct=True),
        )
        .order_by("-ends_on", "-pk")
    )
    facts.alignment_reviews = list(
        AlignmentReview.objects.latest()
        .filter(ai_system=system)
        .prefetch_related("metrics")
        .annotate(finding_count=Count("findings"))
        .order_by("-pk")
    )
    articles = Prefetch(
        "control__mappings",
        queryset=FrameworkItem.objects.filter(framework__key=EU_AI_ACT).only("pk", "ref"),
        to_attr="articles",
    )
    rows = (
        ControlAssignment.objects.filter(ai_system=system)
        .active()
        .select_related("control")
        .prefetch_related(articles)
        .annotate(evidence_count=Count("evidence"))
        .order_by("control__ref")
    )
    by_article: dict[str, list[AssignmentFact]] = defaultdict(list)
    for row in rows:
        fact = AssignmentFact(
            control_ref=row.control.ref,
            control_title=row.control.title,
            status=row.status,
            status_label=row.get_status_display(),
            evidence=row.evidence_count,
            pk=row.pk,
        )
        facts.assignments.append(fact)
        for item in row.control.articles:
            by_article[item.ref].append(fact)
    facts.by_article = dict(by_article)
    facts.components = components_summary.build(system, components_summary.of_systems([system.pk])[system.pk])
    return facts
