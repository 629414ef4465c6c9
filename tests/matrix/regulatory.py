"""Matrix rows for the regulatory documents: everyone reads and downloads; leads decide the
Statement of Applicability; leads and the system's owner team write the technical file's
statements and the fundamental-rights impact assessments (reviewed by another lead)."""

from django.utils import timezone

from accounts.models import Role
from tests.alignment.factories import AlignmentReviewFactory, EvaluationMetricFactory
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.components.factories import ComponentFactory, DatasetFactory
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory, UserFactory
from tests.regulatory.factories import FRIAFactory, HighRiskSystemFactory, SoADecisionFactory, TechnicalFileFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import RedTeamExerciseFactory, ThreatModelFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)
LEADS = at_least(Role.LEAD)


def _frameworks(world):
    iso = FrameworkFactory(key="iso-42001-2023", name="ISO/IEC 42001")
    act = FrameworkFactory(key="eu-ai-act-2024", name="EU AI Act")
    world["soa_item"] = FrameworkItemFactory(framework=iso, ref="A.2.2", kind="control")
    world["article_12"] = FrameworkItemFactory(framework=act, ref="Art.12", kind="article")
    world["soa_framework"] = iso


def extend_world(world):
    org, team, admin = world["org"], world["team"], world["users"][Role.ADMIN]
    _frameworks(world)
    system = world["reg_system"] = HighRiskSystemFactory(organisation=org, owner_team=team, name="Matrix screener")
    author = UserFactory(username="matrix-fria-author")
    world["fria_draft"] = FRIAFactory(ai_system=system, author=author)
    world["fria_approved"] = FRIAFactory(ai_system=system, author=author, status="approved", approved_at=timezone.now())
    TechnicalFileFactory(ai_system=system, design_choices="A ranking model.")
    SoADecisionFactory(organisation=org, item=world["soa_item"], decided_by=admin)
    grow_regulatory(world, 1)


def grow_regulatory(world, times):
    """More of every row the regulatory pages list: items with mapped, evidenced controls and
    decisions; the high-risk system's FRIAs, risks, threat models, exercises and components."""
    org, system, admin = world["org"], world["reg_system"], world["users"][Role.ADMIN]
    for _i in range(times):
        item = FrameworkItemFactory(framework=world["soa_framework"], kind="control")
        SoADecisionFactory(organisation=org, item=item, decided_by=admin, applicability="excluded")
        control = ControlFactory(mappings=[item, world["soa_item"], world["article_12"]])
        assignment = ControlAssignmentFactory(
            ai_system=system, control=control, owner_team=world["team"], status="verified"
        )
        EvidenceFactory(assignment=assignment, uploaded_by=admin)
        FRIAFactory(ai_system=system, author=admin)
        FRIAFactory(ai_system=HighRiskSystemFactory(organisation=org, owner_team=world["team"]), author=admin)
        RiskScenarioFactory(ai_system=system, author=admin, status="approved")
        ThreatModelFactory(ai_system=system, author=admin, status="approved", approved_at=timezone.now())
        RedTeamExerciseFactory(ai_system=system, author=admin, status="approved", approved_at=timezone.now())
        ComponentFactory(ai_system=system, created_by=admin)
        DatasetFactory(ai_system=system, created_by=admin, personal_data=True)
        review = AlignmentReviewFactory(
            ai_system=system, author=admin, status="approved", decision="approved", decided_at=timezone.now()
        )
        EvaluationMetricFactory(review=review)


def grow(world, times):
    grow_regulatory(world, times)


def pk(key):
    return lambda w: {"pk": w[key].pk}


def version(key, **extra):
    return lambda w: {"version": w[key].version, **extra}


def system(**extra):
    return lambda w: {"pk": w["reg_system"].pk, **extra}


def item(w):
    return {"item_pk": w["soa_item"].pk}


def fria(fmt):
    return lambda w: {"pk": w["fria_draft"].pk, "fmt": fmt}


ROWS = {
    "regulatory:soa": Row(),
    "regulatory:soa_decide": Row(item, allowed=LEADS),
    "regulatory:soa_export": Row(lambda w: {"fmt": "xlsx"}),
    "regulatory:soa_export#pdf": Row(lambda w: {"fmt": "pdf"}),
    "regulatory:system_regulatory": Row(system()),
    "regulatory:technical_file": Row(system()),
    "regulatory:technical_file_edit": Row(system(), allowed=MEMBERS, team_scoped=True),
    "regulatory:technical_file_export": Row(system(fmt="pdf")),
    "regulatory:technical_file_export#docx": Row(system(fmt="docx")),
    "regulatory:fria_create": Row(system(), allowed=MEMBERS, team_scoped=True),
    "regulatory:fria_detail": Row(pk("fria_draft")),
    "regulatory:fria_edit": Row(pk("fria_draft"), allowed=MEMBERS, team_scoped=True),
    "regulatory:fria_export": Row(fria("pdf")),
    "regulatory:fria_export#docx": Row(fria("docx")),
    "regulatory:fria_act": Row(
        pk("fria_draft"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("fria_draft", action="submit"),
    ),
    "regulatory:fria_new_version": Row(
        pk("fria_approved"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("fria_approved"),
    ),
    "regulatory:fria_history": Row(pk("fria_draft")),
    "regulatory:fria_compare": Row(pk("fria_draft")),
    "regulatory:fria_follow_up": Row(pk("fria_draft"), allowed=MEMBERS, team_scoped=True),
}
