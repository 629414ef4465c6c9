"""The fundamental-rights impact assessment's lifecycle: the shared governed-record table
(records.workflow); any lead other than the author approves."""

from records.kinds import RecordKind, register
from records.workflow import record_workflow

from .models import FundamentalRightsAssessment

FRIA = record_workflow(FundamentalRightsAssessment, "regulatory.fundamentalrightsassessment")


def _queryset():
    return FundamentalRightsAssessment.objects.select_related(
        "ai_system__owner_team", "author", "approved_by", "submitted_by", "organisation"
    )


KIND = register(
    RecordKind(
        key="fria",
        namespace="regulatory",
        model=FundamentalRightsAssessment,
        workflow=FRIA,
        label="fundamental-rights impact assessment",
        queryset=_queryset,
        detail_template="regulatory/fria_detail.html",
        domain_of=lambda fria: "safety",
        practice="alignment_review",
        tab="regulatory",
    )
)
