"""The risk scenario's lifecycle: the shared governed-record table (records.workflow); any lead
other than the author approves."""

from records.kinds import RecordKind, register
from records.workflow import record_workflow

from .models import RiskScenario

RISK = record_workflow(RiskScenario, "risks.riskscenario")


def _queryset():
    return RiskScenario.objects.select_related(
        "ai_system__owner_team",
        "owner_team",
        "cosigning_team",
        "author",
        "approved_by",
        "submitted_by",
        "accepted_by",
        "acceptance_cosigned_by",
        "scenario",
        "organisation",
    )


KIND = register(
    RecordKind(
        key="risk",
        namespace="risks",
        model=RiskScenario,
        workflow=RISK,
        label="risk scenario",
        queryset=_queryset,
        detail_template="risks/risk_detail.html",
        domain_of=lambda risk: risk.domain,
        tab="risks",
    )
)
