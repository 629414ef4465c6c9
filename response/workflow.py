"""The lifecycles of IR plans and tabletop exercises: the shared governed-record table
(records.workflow); any lead other than the author approves either (the plan spans both domains,
so no single side owns its approval)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from records.kinds import RecordKind, register
from records.workflow import record_workflow

from .models import IncidentResponsePlan, PlanRole, Playbook, TabletopExercise

PLAN = record_workflow(
    IncidentResponsePlan,
    "response.incidentresponseplan",
    approver_label=_("A lead other than the author approves an incident-response plan."),
)
TABLETOP = record_workflow(
    TabletopExercise,
    "response.tabletopexercise",
    approver_label=_("A lead other than the author signs off a tabletop exercise."),
)


def _plan_queryset():
    return IncidentResponsePlan.objects.select_related(
        "ai_system__owner_team", "author", "approved_by", "submitted_by", "organisation"
    ).prefetch_related(
        Prefetch("systems", to_attr="covered_systems"),
    )


def _tabletop_queryset():
    return TabletopExercise.objects.select_related(
        "ai_system__owner_team", "author", "approved_by", "submitted_by", "organisation", "plan", "playbook"
    )


def plan_children(plan) -> dict:
    """The rows a plan's page shows, in a fixed number of queries."""
    return {
        "roles": list(PlanRole.objects.filter(plan=plan).select_related("member").order_by("pk")),
        "playbooks": list(Playbook.objects.filter(plan=plan).order_by("pk")),
    }


PLAN_KIND = register(
    RecordKind(
        key="plan",
        namespace="response",
        model=IncidentResponsePlan,
        workflow=PLAN,
        label=_("incident-response plan"),
        queryset=_plan_queryset,
        detail_template="response/plan_detail.html",
        domain_of=lambda plan: "both",
        practice="incident_response",
        tab="ir_plan",
    )
)

TABLETOP_KIND = register(
    RecordKind(
        key="tabletop",
        namespace="response",
        model=TabletopExercise,
        workflow=TABLETOP,
        label=_("tabletop exercise"),
        queryset=_tabletop_queryset,
        detail_template="response/tabletop_detail.html",
        domain_of=lambda tabletop: tabletop.playbook.domain,
        practice="incident_response",
        tab="ir_plan",
    )
)
