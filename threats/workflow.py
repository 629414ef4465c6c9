"""The threat model's lifecycle: the shared governed-record table (records.workflow); a lead of a
security-owning team, or an admin, approves, never the author of the version."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from records.kinds import RecordKind, register
from records.rules import security_lead
from records.workflow import record_workflow

from .models import RedTeamExercise, ThreatEntry, ThreatModel

THREAT_MODEL = record_workflow(
    ThreatModel,
    "threats.threatmodel",
    approver=security_lead,
    approver_label=_("A lead of a security team, or an admin, other than the author approves a threat model."),
)


def _queryset():
    return ThreatModel.objects.select_related(
        "ai_system__owner_team", "author", "approved_by", "submitted_by", "organisation"
    )


def entries_of(threat_model):
    """The entries with everything their rows show, in a fixed number of queries."""
    return list(
        ThreatEntry.objects.filter(threat_model=threat_model)
        .select_related("threat")
        .prefetch_related("threat__mappings__framework", Prefetch("mitigations__control"))
        .order_by("pk")
    )


KIND = register(
    RecordKind(
        key="threat_model",
        namespace="threats",
        model=ThreatModel,
        workflow=THREAT_MODEL,
        label=_("threat model"),
        queryset=_queryset,
        detail_template="threats/threat_model_detail.html",
        domain_of=lambda tm: "security",
        practice="threat_modeling",
    )
)


# --- Red-team exercises: any lead other than the author approves the report ---------------------

RED_TEAM = record_workflow(RedTeamExercise, "threats.redteamexercise")


def _exercise_queryset():
    return RedTeamExercise.objects.select_related(
        "ai_system__owner_team", "author", "approved_by", "submitted_by", "organisation", "team"
    )


EXERCISE_KIND = register(
    RecordKind(
        key="exercise",
        namespace="threats",
        model=RedTeamExercise,
        workflow=RED_TEAM,
        label=_("red-team exercise"),
        queryset=_exercise_queryset,
        detail_template="threats/exercise_detail.html",
        domain_of=lambda exercise: "security",
        practice="red_teaming",
        tab="red_team",
    )
)
