"""Who may approve tools and MCP servers, and when an approval stops holding."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from audit.models import AuditEvent
from components import services
from components.models import Approval, Kind
from components.workflow import COMPONENT

MCP = {"name": "GitHub MCP", "supplier": "GitHub", "endpoint": "https://mcp.example.test/sse", "scopes": "repo:read"}


def add_mcp(actor, system, **extra):
    return services.component_create(
        actor=actor, system=system, kind=Kind.MCP_SERVER, data={**MCP, "owner_team": system.owner_team, **extra}
    )


def take(actor, component, name, text=""):
    return COMPONENT.take(actor=actor, record=component, name=name, expected_version=component.version, text=text)


def test_a_tool_starts_proposed_by_its_adder_and_a_model_needs_no_approval(builder, admin, system):
    mcp = add_mcp(builder, system)
    assert (mcp.approval, mcp.proposed_by) == (Approval.PROPOSED, builder)
    model = services.component_create(
        actor=builder,
        system=system,
        kind=Kind.MODEL,
        data={"name": "Coder", "supplier": "Vendor", "owner_team": system.owner_team},
    )
    assert model.approval == Approval.NOT_NEEDED
    with pytest.raises(ValidationError):
        take(admin, model, "approve")


def test_a_security_lead_approves_what_someone_else_proposed(builder, security_lead, system):
    mcp = take(security_lead, add_mcp(builder, system), "approve")
    assert (mcp.approval, mcp.decided_by) == (Approval.APPROVED, security_lead)
    event = AuditEvent.objects.filter(action="components.component.approve").get()
    assert event.after["approval"] == "approved" and event.before["approval"] == "proposed"


def test_an_admin_approves_too(builder, admin, system):
    assert take(admin, add_mcp(builder, system), "approve").approval == Approval.APPROVED


@pytest.mark.parametrize("who", ["safety_lead", "builder", "auditor", "viewer"])
def test_others_may_not_approve(request, builder, system, who):
    mcp = add_mcp(builder, system)
    with pytest.raises(PermissionDenied):
        take(request.getfixturevalue(who), mcp, "approve")
    mcp.refresh_from_db()
    assert mcp.approval == Approval.PROPOSED


def test_a_security_lead_never_approves_what_they_proposed(security_lead, other_security_lead, system):
    mcp = add_mcp(security_lead, system)
    assert not COMPONENT.allows(security_lead.memberships.get(), mcp, "approve")
    with pytest.raises(PermissionDenied):
        take(security_lead, mcp, "approve")
    assert take(other_security_lead, mcp, "approve").approval == Approval.APPROVED


def test_a_rejection_needs_a_reason_and_can_be_proposed_again(builder, security_lead, system):
    mcp = add_mcp(builder, system)
    with pytest.raises(ValidationError):
        take(security_lead, mcp, "reject")
    mcp = take(security_lead, mcp, "reject", "Write scopes are too wide.")
    assert mcp.approval == Approval.REJECTED and mcp.decision_note == "Write scopes are too wide."
    mcp = take(builder, mcp, "propose")
    assert (mcp.approval, mcp.proposed_by, mcp.decided_by) == (Approval.PROPOSED, builder, None)


def test_a_material_change_sends_an_approved_server_back_to_proposed(builder, security_lead, system):
    mcp = take(security_lead, add_mcp(builder, system), "approve")
    mcp = services.component_update(
        actor=builder, component=mcp, expected_version=mcp.version, data={"description": "Reads issues."}
    )
    assert mcp.approval == Approval.APPROVED  # a description is not material
    mcp = services.component_update(
        actor=builder, component=mcp, expected_version=mcp.version, data={"scopes": "repo:read\nrepo:write"}
    )
    assert (mcp.approval, mcp.proposed_by, mcp.decided_by) == (Approval.PROPOSED, builder, None)
    event = AuditEvent.objects.filter(action="components.component.updated").order_by("-seq").first()
    assert event.after["approval"] == "proposed" and event.after["scopes"] == "repo:read\nrepo:write"


def test_the_security_lead_who_made_the_material_change_does_not_approve_it(
    builder, security_lead, other_security_lead, system
):
    mcp = take(security_lead, add_mcp(builder, system), "approve")
    mcp = services.component_update(
        actor=security_lead, component=mcp, expected_version=mcp.version, data={"endpoint": "https://other.test/sse"}
    )
    with pytest.raises(PermissionDenied):
        take(security_lead, mcp, "approve")
    assert take(other_security_lead, mcp, "approve").approval == Approval.APPROVED


def test_members_of_another_team_may_not_add_or_change(make_member, team, builder, system):
    stranger = make_member(Role.MEMBER, "stranger", teams=[team])
    with pytest.raises(PermissionDenied):
        add_mcp(stranger, system)
    mcp = add_mcp(builder, system)
    with pytest.raises(PermissionDenied):
        services.component_update(actor=stranger, component=mcp, expected_version=mcp.version, data={"name": "X"})


def test_a_retired_component_is_not_reviewed_and_keeps_its_history(builder, security_lead, system):
    mcp = add_mcp(builder, system)
    mcp = services.component_retire(actor=builder, component=mcp, expected_version=mcp.version, reason="Replaced.")
    assert mcp.retired_at is not None and mcp.retirement_reason == "Replaced."
    with pytest.raises(ValidationError):
        take(security_lead, mcp, "approve")
    # The name is free again for a new active component.
    assert add_mcp(builder, system).pk != mcp.pk


def test_kind_specific_fields_are_checked(builder, system):
    with pytest.raises(ValidationError) as caught:
        services.component_create(
            actor=builder,
            system=system,
            kind=Kind.DATASET,
            data={"name": "CVs", "owner_team": system.owner_team, "model_card_url": "https://x.test/card"},
        )
    assert set(caught.value.message_dict) == {"supplier", "dataset_uses", "model_card_url"}


def test_one_active_component_per_kind_and_name(builder, system):
    add_mcp(builder, system)
    with pytest.raises(ValidationError):
        add_mcp(builder, system, name="github mcp ")
