"""The CycloneDX AI-BOM: the export validates against the schema, the import reads it back, a
broken BOM is rejected whole with every problem listed, and the same BOM twice changes nothing."""

import json

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from components import bom, services
from components.models import Approval, Component, Kind
from components.queries import of_systems
from components.workflow import COMPONENT
from tests.components.factories import DatasetFactory, McpServerFactory, ToolFactory
from tests.factories import AISystemFactory


@pytest.fixture
def parts(system, builder, security_lead, platform_team):
    """One of each kind, with every field used."""
    model = Component.objects.create(
        organisation=system.organisation,
        ai_system=system,
        kind=Kind.MODEL,
        name="Coder 2",
        release="2025-01",
        supplier="Example Labs",
        licence="Apache-2.0",
        provenance="third_party_api",
        weights_location="Vendor cloud, EU region",
        model_card_url="https://models.example.test/coder-2",
        owner_team=platform_team,
        created_by=builder,
    )
    dataset = DatasetFactory(
        ai_system=system,
        name="Past tickets",
        personal_data=True,
        dataset_uses=["fine_tuning", "retrieval"],
        licence="Proprietary licence",
        created_by=builder,
    )
    tool = ToolFactory(
        ai_system=system,
        name="Shell",
        can_change="Files in the sandbox.",
        requires_confirmation=True,
        created_by=builder,
    )
    mcp = McpServerFactory(ai_system=system, name="Repo MCP", scopes="issues:write\nrepo:read", created_by=builder)
    mcp = COMPONENT.take(actor=security_lead, record=mcp, name="approve", expected_version=mcp.version)
    stdio = McpServerFactory(
        ai_system=system, name="Local files", endpoint="stdio: npx files-server", created_by=builder
    )
    service = Component.objects.create(
        organisation=system.organisation,
        ai_system=system,
        kind=Kind.SERVICE,
        name="Vector store",
        supplier="Cloud Co",
        endpoint="https://vectors.example.test/{tenant}",  # CycloneDX would escape it: kept in a property
        licence="mit",  # not the canonical SPDX spelling: kept as typed
        owner_team=platform_team,
        created_by=builder,
    )
    return [model, dataset, tool, mcp, stdio, service]


def _validator():
    # Imported when used: jsonschema's import costs seconds (see components.bom._schema_problems).
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(bom.SPEC)


def export(system) -> str:
    return bom.to_json(bom.system_bom(system, of_systems([system.pk])[system.pk]))


def test_the_system_export_validates_against_the_cyclonedx_schema(system, parts):
    text = export(system)
    assert _validator().validate_str(text) is None
    document = json.loads(text)
    assert document["specVersion"] == "1.7"
    types = {c["name"]: c["type"] for c in document["components"]}
    assert types == {"Coder 2": "machine-learning-model", "Past tickets": "data"}
    model = next(c for c in document["components"] if c["name"] == "Coder 2")
    assert model["externalReferences"] == [{"type": "model-card", "url": "https://models.example.test/coder-2"}]
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    services_ = {s["name"]: s for s in document["services"]}
    assert set(services_) == {"Shell", "Repo MCP", "Local files", "Vector store"}
    assert services_["Repo MCP"]["endpoints"] == ["https://mcp.example.test/sse"]
    props = {(p["name"], p["value"]) for p in services_["Repo MCP"]["properties"]}
    assert {
        ("bastion:kind", "mcp_server"),
        ("bastion:approval", "approved"),
        ("bastion:mcp:scope", "issues:write"),
    } <= props
    root = document["metadata"]["component"]["bom-ref"]
    depends = next(d for d in document["dependencies"] if d["ref"] == root)
    assert len(depends["dependsOn"]) == 6


def test_the_organisation_export_validates_and_lists_every_system(org, system, parts, platform_team):
    other = AISystemFactory(organisation=org, owner_team=platform_team, name="Hiring Screener")
    DatasetFactory(ai_system=other, name="CVs", personal_data=True)
    systems = [system, other]
    text = bom.to_json(bom.organisation_bom(org, systems, of_systems([s.pk for s in systems])))
    assert _validator().validate_str(text) is None
    names = {c["name"] for c in json.loads(text)["components"]}
    assert {"Code Agent", "Hiring Screener", "CVs", "Past tickets"} <= names


def test_an_export_round_trips_through_the_import_and_twice_changes_nothing(org, system, parts, builder, platform_team):
    data = export(system).encode()
    # Into the same system: nothing changes, nothing is written.
    events = AuditEvent.objects.count()
    result = services.bom_import(actor=builder, system=system, data=data)
    assert (len(result.created), len(result.updated), result.unchanged) == (0, 0, 6)
    assert AuditEvent.objects.count() == events
    # Into an empty system: the same components, every tool and MCP server awaiting approval.
    copy = AISystemFactory(organisation=org, owner_team=platform_team, name="Copy")
    result = services.bom_import(actor=builder, system=copy, data=data)
    assert len(result.created) == 6

    def shape(target):
        fields = [
            "kind",
            "name",
            "release",
            "supplier",
            "licence",
            "provenance",
            "weights_location",
            "model_card_url",
            "personal_data",
            "dataset_uses",
            "can_change",
            "requires_confirmation",
            "endpoint",
            "scopes",
            "owner_team_id",
            "description",
        ]
        return sorted(tuple(str(getattr(c, f)) for f in fields) for c in Component.objects.filter(ai_system=target))

    assert shape(copy) == shape(system)
    copied = Component.objects.filter(ai_system=copy, kind__in=[Kind.TOOL, Kind.MCP_SERVER])
    assert {c.approval for c in copied} == {Approval.PROPOSED}  # never taken from the file
    # The same file again changes nothing.
    again = services.bom_import(actor=builder, system=copy, data=data)
    assert (len(again.created), len(again.updated), again.unchanged) == (0, 0, 6)


def test_an_import_updates_only_what_the_file_states(system, parts, builder, security_lead):
    document = json.loads(export(system))
    for service in document["services"]:
        if service["name"] == "Repo MCP":
            service["endpoints"] = ["https://moved.example.test/sse"]
    document["components"] = [c for c in document["components"] if c["name"] != "Past tickets"]
    result = services.bom_import(actor=builder, system=system, data=json.dumps(document).encode())
    assert [c.name for c in result.updated] == ["Repo MCP"]
    mcp = Component.objects.get(name="Repo MCP")
    assert (mcp.endpoint, mcp.approval) == ("https://moved.example.test/sse", Approval.PROPOSED)  # material
    assert Component.objects.filter(name="Past tickets", retired_at__isnull=True).exists()  # left alone


def test_a_broken_bom_is_rejected_whole_with_every_problem(system, builder):
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": "machine-learning-model", "name": "Good model", "supplier": {"name": "Labs"}},
            {"type": "machine-learning-model", "name": "No supplier"},
            {
                "type": "data",
                "name": "Data",
                "supplier": {"name": "Web"},
                "properties": [
                    {"name": "bastion:dataset:use", "value": "dreaming"},
                    {"name": "bastion:dataset:personal-data", "value": "maybe"},
                ],
            },
            {"type": "library", "name": "requests"},
        ],
        "services": [
            {"name": "Unknown kind", "properties": [{"name": "bastion:kind", "value": "robot"}]},
            {
                "name": "Team?",
                "provider": {"name": "V"},
                "properties": [{"name": "bastion:owner-team", "value": "Nobody"}],
            },
            {"name": "MCP without endpoint", "properties": [{"name": "bastion:kind", "value": "mcp_server"}]},
        ],
    }
    with pytest.raises(ValidationError) as caught:
        services.bom_import(actor=builder, system=system, data=json.dumps(document).encode())
    problems = caught.value.messages
    text = "\n".join(problems)
    assert "$.components[1] (supplier.name): Required" in text
    assert "$.components[2].properties: bastion:dataset:use" in text
    assert "“maybe” is not true or false" in text
    assert "$.services[0].properties: bastion:kind" in text
    assert "no team called “Nobody”" in text
    assert "$.services[2] (endpoints): Required" in text
    assert len(problems) == 8, problems  # the dataset with no valid use also lacks a required one
    assert not Component.objects.exists()  # not even the good model


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"bomFormat": "CycloneDX", "a": ' + b"[" * 40 + b"]" * 40 + b"}", "nested deeper"),
        (b" " * (bom.MAX_BYTES + 1), "larger than"),
        (b'{"bomFormat": "SPDX"}', "CycloneDX"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.2"}', "not supported"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "nope"}]}', "$.components[0]"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"a": 1}}', "$.components"),
    ],
)
def test_malformed_files_are_reported_not_raised(system, builder, data, expected):
    with pytest.raises(ValidationError) as caught:
        services.bom_import(actor=builder, system=system, data=data)
    assert expected in " ".join(caught.value.messages)


def test_an_organisation_wide_bom_is_refused_for_one_system(org, system, parts, builder):
    text = bom.to_json(bom.organisation_bom(org, [system], of_systems([system.pk])))
    with pytest.raises(ValidationError) as caught:
        services.bom_import(actor=builder, system=system, data=text.encode())
    assert "organisation-wide" in " ".join(caught.value.messages)


def test_the_same_entry_twice_is_a_problem(system, builder):
    model = {"type": "machine-learning-model", "name": "M", "supplier": {"name": "L"}}
    document = {"bomFormat": "CycloneDX", "specVersion": "1.7", "components": [model, {**model, "name": "m"}]}
    with pytest.raises(ValidationError) as caught:
        services.bom_import(actor=builder, system=system, data=json.dumps(document).encode())
    assert "listed twice" in " ".join(caught.value.messages)


def test_hidden_characters_in_a_file_are_a_problem(system, builder):
    model = {"type": "machine-learning-model", "name": "M\u200bodel", "supplier": {"name": "L"}}
    document = {"bomFormat": "CycloneDX", "specVersion": "1.7", "components": [model]}
    with pytest.raises(ValidationError) as caught:
        services.bom_import(actor=builder, system=system, data=json.dumps(document).encode())
    assert caught.value.messages == ["$.components[0] (name): contains hidden characters; remove them and import again"]


def test_too_many_entries_are_refused_before_the_schema_check(system, builder):
    libraries = [{"type": "library", "name": f"lib{i}"} for i in range(bom.MAX_ITEMS + 1)]
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": libraries}
    with pytest.raises(ValidationError) as caught:
        services.bom_import(actor=builder, system=system, data=json.dumps(document).encode())
    assert caught.value.messages == [f"$: more than {bom.MAX_ITEMS} components and services"]


def test_schema_errors_are_listed_up_to_a_bound(system, builder):
    broken = [{"type": "nope", "name": f"x{i}"} for i in range(bom.MAX_PROBLEMS + 50)]
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": broken}
    with pytest.raises(ValidationError) as caught:
        services.bom_import(actor=builder, system=system, data=json.dumps(document).encode())
    problems = caught.value.messages
    assert len(problems) == bom.MAX_PROBLEMS + 1
    assert problems[-1] == "… and 50 more problems"
