"""The approval of tools and MCP servers, as a table of transitions (see core.workflow):

    proposed → approved
        ↓          ↓ (revoke)
      rejected ←───┘
        ↓ (propose again)
      proposed

Models, datasets and third-party services stay "not needed" and never enter this table. A
security-owning lead decides, and never the person who proposed the component (who added it, or
made the last material change to it): segregation of duties, as for every other approval here.
A material change to an approved component sends it back to "proposed" (services.component_update).
"""

from __future__ import annotations

from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import membership_of
from core.workflow import Step, Transition, Workflow, all_of, signed_off_by_other_than

from . import rules
from .models import NEEDS_APPROVAL, Approval, Component

A = Approval


def _governed(component: Component) -> str | None:
    if component.retired_at is not None:
        return _gettext("A retired component is not reviewed.")
    if component.kind not in NEEDS_APPROVAL:
        return _gettext("Only tools and MCP servers need approval.")
    return None


def _decide(component: Component, step: Step) -> None:
    component.decided_by, component.decided_at, component.decision_note = step.actor, step.now, step.text


def _propose(component: Component, step: Step) -> None:
    component.proposed_by = step.actor
    component.decided_by, component.decided_at, component.decision_note = None, None, ""


DECIDER = all_of(rules.can_decide_component, signed_off_by_other_than("proposed_by_id"))
DECIDER_REFUSAL = _("A security lead other than the person who proposed it decides.")
DECISION = ("decided_by", "decided_at", "decision_note")

COMPONENT: Workflow[Component] = Workflow(
    model=Component,
    action_prefix="components.component",
    membership_of=membership_of,
    state_field="approval",
    always=(_governed,),
    transitions=[
        Transition(
            "approve",
            _("Approve"),
            frozenset({A.PROPOSED}),
            A.APPROVED,
            who=DECIDER,
            refusal=DECIDER_REFUSAL,
            effect=_decide,
            changes=DECISION,
            done=_("Approved: the agent may use it."),
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({A.PROPOSED}),
            A.REJECTED,
            who=DECIDER,
            refusal=DECIDER_REFUSAL,
            effect=_decide,
            changes=DECISION,
            needs_text=True,
            text_label=_("Say why it is rejected and what would make it acceptable."),
            done=_("Rejected with your reason."),
        ),
        Transition(
            "revoke",
            _("Revoke approval"),
            frozenset({A.APPROVED}),
            A.REJECTED,
            who=rules.can_decide_component,
            refusal=_("Security leads revoke an approval."),
            effect=_decide,
            changes=DECISION,
            needs_text=True,
            text_label=_("Say why the approval no longer holds."),
            done=_("Approval revoked."),
        ),
        Transition(
            "propose",
            _("Propose again"),
            frozenset({A.REJECTED}),
            A.PROPOSED,
            who=rules.can_change_component,
            refusal=_("Leads and the owner teams propose it again."),
            effect=_propose,
            changes=("proposed_by", *DECISION),
            done=_("Proposed again for security approval."),
        ),
    ],
)
