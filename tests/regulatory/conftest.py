import pytest
from django.utils import timezone

from accounts.models import Role
from assessments.models import AssessmentAnswer
from components.models import Kind
from tests.alignment.factories import AlignmentReviewFactory, EvaluationMetricFactory
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory, EvidenceFactory
from tests.components.factories import ComponentFactory, DatasetFactory, ToolFactory
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory
from tests.regulatory.factories import HighRiskSystemFactory, TechnicalFileFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import RedTeamExerciseFactory, ThreatModelFactory

STATEMENTS = {
    "instructions_for_use": "A guide in the recruiting tool.",
    "hardware_and_deployment": "An internal web service on GPUs.",
    "design_choices": "Names removed before ranking.",
    "performance_metrics": "Precision at 10 per group.",
    "standards_applied": "ISO/IEC 42001 in part.",
    "declaration_of_conformity": "DoC-2026-01, signed by the CEO.",
    "post_market_plan": "Monthly bias report to the Responsible AI team.",
}
ANSWERS = {
    "intended_use": "Ranks job applicants for recruiters.",
    "worst_case": "One gender is pushed down for a season.",
    "human_oversight": "A recruiter decides every rejection.",
}


@pytest.fixture
def second_lead(make_member, team):
    return make_member(Role.LEAD, "second-lead", teams=[team])


@pytest.fixture
def high_risk(org, team):
    return HighRiskSystemFactory(organisation=org, owner_team=team, name="Hiring Screener", uses_tools=True)


@pytest.fixture
def complete_file(high_risk, admin):
    """A high-risk system with every source of the Annex IV draft filled in; the returned dict
    holds the rows a test empties to make one item missing."""
    system = high_risk
    act = FrameworkFactory(key="eu-ai-act-2024", name="EU AI Act")
    articles = {
        ref: FrameworkItemFactory(framework=act, ref=ref, kind="article") for ref in ("Art.12", "Art.15", "Art.72")
    }
    assessment = AssessmentFactory(ai_system=system, started_by=admin)
    for question, value in ANSWERS.items():
        AssessmentAnswer.objects.create(
            assessment=assessment, question=question, value=value, answered_by=admin, answered_at=timezone.now()
        )
    rows = {
        "statements": TechnicalFileFactory(ai_system=system, **STATEMENTS),
        "threat_model": ThreatModelFactory(
            ai_system=system, author=admin, status="approved", approved_at=timezone.now()
        ),
        "red_team": RedTeamExerciseFactory(
            ai_system=system, author=admin, status="approved", approved_at=timezone.now()
        ),
        "risk": RiskScenarioFactory(ai_system=system, author=admin, status="approved"),
        "models": ComponentFactory(ai_system=system, created_by=admin, kind=Kind.MODEL, name="Screener 8B"),
        "datasets": DatasetFactory(ai_system=system, created_by=admin, name="Past hiring outcomes", personal_data=True),
        "tools": ToolFactory(ai_system=system, created_by=admin, name="Calendar invite"),
        "assessment": assessment,
        "alignment": AlignmentReviewFactory(
            ai_system=system, author=admin, status="approved", decision="approved", decided_at=timezone.now()
        ),
    }
    EvaluationMetricFactory(review=rows["alignment"], name="Selection-rate ratio")
    for ref, item in articles.items():
        assignment = ControlAssignmentFactory(
            ai_system=system, control=ControlFactory(mappings=[item]), status="verified"
        )
        EvidenceFactory(assignment=assignment, uploaded_by=admin)
        rows[ref] = assignment
    return rows
