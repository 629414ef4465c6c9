"""Matrix rows for the AI-BOM: everyone reads and exports; leads and the owner team add, edit,
import and retire; security leads (the world's leads are in a security team) and admins approve
tools and MCP servers someone else proposed."""

from accounts.models import Role
from components.models import Approval, Kind
from tests.components.factories import ComponentFactory, DatasetFactory, McpServerFactory, ToolFactory
from tests.factories import AISystemFactory, UserFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)
LEADS = at_least(Role.LEAD)


def extend_world(world):
    system, author = world["system"], UserFactory(username="matrix-component-author")
    world["component_model"] = ComponentFactory(ai_system=system, name="Matrix model", created_by=author)
    world["component_tool"] = ToolFactory(ai_system=system, name="Matrix tool", created_by=author)


def grow(world, times):
    system, team = world["system"], world["team"]
    for i in range(times):
        other = AISystemFactory(organisation=world["org"], owner_team=team, name=f"Scale BOM {i}")
        for target in (system, other):
            ComponentFactory(ai_system=target, name=f"Scale model {i}")
            DatasetFactory(ai_system=target, name=f"Scale data {i}", personal_data=True)
            ToolFactory(ai_system=target, name=f"Scale tool {i}")
            McpServerFactory(ai_system=target, name=f"Scale MCP {i}", approval=Approval.APPROVED)
            ComponentFactory(ai_system=target, kind=Kind.SERVICE, name=f"Scale service {i}")


def pk(key):
    return lambda w: {"pk": w[key].pk}


def system(w):
    return {"pk": w["system"].pk}


ROWS = {
    "components:component_list": Row(),
    "components:organisation_bom": Row(),
    "components:system_components": Row(system),
    "components:system_bom": Row(system),
    "components:component_create": Row(
        lambda w: {"pk": w["system"].pk, "kind": "mcp_server"}, allowed=MEMBERS, team_scoped=True
    ),
    "components:bom_import": Row(system, allowed=MEMBERS, team_scoped=True),
    "components:profile_suggestion_apply": Row(
        system,
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=lambda w: {"flag": "uses_tools", "version": w["system"].version},
    ),
    "components:component_detail": Row(pk("component_tool")),
    "components:component_edit": Row(pk("component_model"), allowed=MEMBERS, team_scoped=True),
    "components:component_retire": Row(pk("component_model"), allowed=MEMBERS, team_scoped=True),
    "components:component_act": Row(
        pk("component_tool"),
        allowed=LEADS,
        method="post",
        ok=(302,),
        data=lambda w: {"action": "approve", "version": w["component_tool"].version},
    ),
}
