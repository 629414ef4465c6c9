"""The AI-BOM through the API: components read, a system's CycloneDX BOM read, and a BOM written
from a pipeline with the page's import (every problem listed and nothing written, or all of it;
the same file twice changes nothing; approvals never come from a file)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from audit.models import AuditEvent
from components.models import Approval, Component
from tests.api.test_resources import error_of, url
from tests.components.factories import ComponentFactory, ToolFactory
from tests.factories import AISystemFactory, OrganisationFactory


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, name="Support Chatbot")


def bom_file(*components, services=(), spec="1.6"):
    document = {"bomFormat": "CycloneDX", "specVersion": spec, "version": 1, "components": list(components)}
    if services:
        document["services"] = list(services)
    return {"file": SimpleUploadedFile("bom.cdx.json", json.dumps(document).encode())}


MODEL = {"type": "machine-learning-model", "name": "gpt-support", "version": "2026-10", "supplier": {"name": "Lab"}}


def test_a_pipeline_writes_its_bom_once_and_a_new_tool_awaits_approval(api_for, org, system, member):
    # Tools are CycloneDX services, told apart by the `bastion:kind` property (docs/components.md).
    tool = {
        "name": "refund-tool",
        "properties": [
            {"name": "bastion:kind", "value": "tool"},
            {"name": "bastion:tool:can-change", "value": "Refunds up to 50 EUR"},
        ],
    }
    api = api_for(member)
    answer = api.upload(url("system_bom", org, pk=system.pk), bom_file(MODEL, services=[tool]))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert sorted(c["name"] for c in body["created"]) == ["gpt-support", "refund-tool"]
    assert (body["updated"], body["unchanged"]) == ([], 0)
    assert Component.objects.get(name="refund-tool").approval == Approval.PROPOSED
    assert AuditEvent.objects.filter(action__startswith="components.", channel="api").exists()

    again = api.upload(url("system_bom", org, pk=system.pk), bom_file(MODEL, services=[tool])).json()
    assert (again["created"], again["updated"], again["unchanged"]) == ([], [], 2)


def test_a_broken_bom_lists_every_problem_and_writes_nothing(api_for, org, system, member):
    nameless = {"type": "machine-learning-model", "supplier": {"name": "Lab"}}
    answer = api_for(member).upload(url("system_bom", org, pk=system.pk), bom_file(MODEL, nameless))
    assert answer.status_code == 400
    assert error_of(answer)["fields"]["file"] == ["$.components[1]: 'name' is a required property"]
    assert not Component.objects.exists()
    garbage = {"file": SimpleUploadedFile("bom.json", b"\x00not json{")}
    assert api_for(member).upload(url("system_bom", org, pk=system.pk), garbage).status_code == 400


def test_only_leads_and_the_owner_team_write_a_bom(api_for, make_member, org, system):
    viewer = make_member(Role.VIEWER, "reader")
    assert api_for(viewer).upload(url("system_bom", org, pk=system.pk), bom_file(MODEL)).status_code == 403
    outsider_system = AISystemFactory(organisation=OrganisationFactory(slug="rival"))
    lead = make_member(Role.LEAD, "a-lead")
    assert api_for(lead).upload(url("system_bom", org, pk=outsider_system.pk), bom_file(MODEL)).status_code == 404


def test_components_and_the_bom_are_read_by_every_member(api_for, make_member, org, system):
    ComponentFactory(ai_system=system, name="gpt-support")
    ToolFactory(ai_system=system, name="refund-tool")
    ComponentFactory(ai_system=system, name="old model", retired_at="2026-01-01T00:00:00Z")
    api = api_for(make_member(Role.VIEWER, "reader"))
    names = [c["name"] for c in api.get(url("component_list", org)).json()["results"]]
    assert names == ["gpt-support", "refund-tool"]
    assert [c["name"] for c in api.get(url("component_list", org), {"retired": "true"}).json()["results"]] == [
        "old model"
    ]
    assert [c["name"] for c in api.get(url("component_list", org), {"kind": "tool"}).json()["results"]] == [
        "refund-tool"
    ]
    answer = api.get(url("system_bom", org, pk=system.pk))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/vnd.cyclonedx+json"
    document = json.loads(answer.content)
    assert document["specVersion"] == "1.7"
    assert [c["name"] for c in document["components"]] == ["gpt-support"]
    assert [s["name"] for s in document["services"]] == ["refund-tool"]
