import factory

from components.models import Approval, Component, Kind
from tests.factories import AISystemFactory, UserFactory


class ComponentFactory(factory.django.DjangoModelFactory):
    """A model of a system, owned by the system's owner team."""

    class Meta:
        model = Component

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    kind = Kind.MODEL
    name = factory.Sequence(lambda n: f"Component {n}")
    owner_team = factory.SelfAttribute("ai_system.owner_team")
    supplier = "Example Labs"
    created_by = factory.SubFactory(UserFactory)


class ToolFactory(ComponentFactory):
    """A tool awaiting approval, proposed by its creator."""

    kind = Kind.TOOL
    supplier = ""
    can_change = "Opens pull requests."
    approval = Approval.PROPOSED
    proposed_by = factory.SelfAttribute("created_by")


class McpServerFactory(ToolFactory):
    kind = Kind.MCP_SERVER
    can_change = ""
    supplier = "Example MCP"
    endpoint = "https://mcp.example.test/sse"
    scopes = "repo:read"


class DatasetFactory(ComponentFactory):
    kind = Kind.DATASET
    supplier = "Public web crawl"
    dataset_uses = ["training"]
