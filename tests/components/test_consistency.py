"""The profile and the components agree, or the system page says where they do not; summary()
answers for many systems in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from components import consistency
from components.models import Approval
from components.summary import of_systems, summary
from tests.components.factories import ComponentFactory, DatasetFactory, McpServerFactory, ToolFactory
from tests.factories import AISystemFactory


def keys(findings):
    return [f.key for f in findings]


def test_a_tool_using_system_with_no_tool_is_warned(system):
    assert keys(consistency.warnings(system, [])) == ["no_tools"]
    assert keys(consistency.warnings(system, [ToolFactory.build(ai_system=system)])) == []
    assert keys(consistency.warnings(system, [McpServerFactory.build(ai_system=system)])) == []


def test_a_retired_tool_does_not_count(system):
    from django.utils import timezone

    retired = ToolFactory.build(ai_system=system, retired_at=timezone.now())
    assert keys(consistency.warnings(system, [retired])) == ["no_tools"]


def test_personal_data_without_a_personal_dataset_is_warned(system):
    system.uses_tools, system.processes_personal_data = False, True
    assert keys(consistency.warnings(system, [DatasetFactory.build(ai_system=system)])) == ["no_personal_dataset"]
    personal = DatasetFactory.build(ai_system=system, personal_data=True)
    assert keys(consistency.warnings(system, [personal])) == []


def test_components_suggest_the_flags_the_profile_lacks(system):
    system.uses_tools = system.processes_personal_data = system.memory_retrieval = False
    parts = [
        ToolFactory.build(ai_system=system),
        DatasetFactory.build(ai_system=system, personal_data=True, dataset_uses=["retrieval"]),
    ]
    found = consistency.suggestions(system, parts)
    assert [f.flag for f in found] == ["uses_tools", "processes_personal_data", "memory_retrieval"]
    system.uses_tools = system.processes_personal_data = system.memory_retrieval = True
    assert consistency.suggestions(system, parts) == []


def test_unapproved_lists_active_tools_and_servers_not_approved(system):
    tool = ToolFactory.build(ai_system=system)
    approved = McpServerFactory.build(ai_system=system, approval=Approval.APPROVED)
    model = ComponentFactory.build(ai_system=system)
    assert consistency.unapproved([tool, approved, model]) == [tool]


def test_summary_runs_two_queries_for_any_number_of_systems(org, platform_team):
    systems = [AISystemFactory(organisation=org, owner_team=platform_team, uses_tools=True) for _ in range(4)]
    for s in systems[:3]:
        ToolFactory(ai_system=s)
        DatasetFactory(ai_system=s, personal_data=True)
    ids = [s.pk for s in systems]
    with CaptureQueriesContext(connection) as ctx:
        found = summary(ids)
        owners = [c.owner_team.name for s in found.values() for c in s.components]
    assert len(ctx) == 2
    assert len(owners) == 6
    assert [len(found[pk].unapproved) for pk in ids] == [1, 1, 1, 0]
    assert keys(found[ids[3]].warnings) == ["no_tools"]
    assert [len(found[pk].personal_datasets) for pk in ids] == [1, 1, 1, 0]
    with CaptureQueriesContext(connection) as ctx:
        assert of_systems(ids)[ids[3]] == []
    assert len(ctx) == 1
