"""The Components tab, the Overview panel, the forms, the approval buttons, the profile
suggestion, the import page and the downloads."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from components.models import Approval, Component, Kind
from tests.components.factories import DatasetFactory, McpServerFactory, ToolFactory


def url(name, org, *args):
    return reverse(f"components:{name}", args=[org.slug, *args])


def test_the_tab_shows_warnings_unapproved_tools_and_suggestions(client_for, org, system, builder):
    system.processes_personal_data = True
    system.save()
    McpServerFactory(ai_system=system, name="Unreviewed MCP")
    page = client_for(builder).get(url("system_components", org, system.pk)).content.decode()
    assert "no dataset is marked as personal" in page
    assert "Unreviewed MCP" in page and "not approved by security" in page
    overview = client_for(builder).get(reverse("governance:system_detail", args=[org.slug, system.pk]))
    assert "Unreviewed MCP" in overview.content.decode()
    assert "no dataset is marked as personal" in overview.content.decode()


def test_adding_a_tool_to_a_system_without_the_flag_offers_a_profile_update(client_for, org, system, builder):
    system.uses_tools = False
    system.save()
    response = client_for(builder).post(
        url("component_create", org, system.pk, "tool"),
        {"name": "Payments API", "can_change": "Refunds up to 50 EUR.", "owner_team": system.owner_team_id},
    )
    assert response.status_code == 302
    tool = Component.objects.get(name="Payments API")
    assert (tool.kind, tool.approval, tool.proposed_by) == (Kind.TOOL, Approval.PROPOSED, builder)
    page = client_for(builder).get(url("system_components", org, system.pk)).content.decode()
    assert "the profile says the system uses no tools" in page
    response = client_for(builder).post(
        url("profile_suggestion_apply", org, system.pk), {"flag": "uses_tools", "version": system.version}
    )
    assert response["Location"] == reverse("assessments:system_assessment", args=[org.slug, system.pk])
    system.refresh_from_db()
    assert system.uses_tools
    event = AuditEvent.objects.filter(action="governance.aisystem.updated").get()
    assert event.after["uses_tools"] is True


def test_a_stale_profile_suggestion_changes_nothing(client_for, org, system, builder):
    system.uses_tools = False
    system.save()
    client_for(builder).post(url("profile_suggestion_apply", org, system.pk), {"flag": "uses_tools", "version": 99})
    system.refresh_from_db()
    assert not system.uses_tools


def test_an_invalid_form_is_shown_again_with_the_kind_rules(client_for, org, system, builder):
    response = client_for(builder).post(
        url("component_create", org, system.pk, "mcp_server"),
        {"name": "No endpoint", "owner_team": system.owner_team_id},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"supplier", "endpoint"}
    assert not Component.objects.exists()


def test_the_form_shows_only_the_kind_fields(client_for, org, system, builder):
    form = client_for(builder).get(url("component_create", org, system.pk, "dataset")).context["form"]
    assert {"personal_data", "dataset_uses", "supplier"} <= set(form.fields)
    assert not {"endpoint", "model_card_url", "scopes"} & set(form.fields)


def test_an_unknown_kind_is_404(client_for, org, system, builder):
    assert client_for(builder).get(url("component_create", org, system.pk, "robot")).status_code == 404


def test_a_material_edit_warns_that_approval_is_needed_again(client_for, org, system, builder):
    mcp = McpServerFactory(ai_system=system, approval=Approval.APPROVED)
    data = {
        "name": mcp.name,
        "supplier": mcp.supplier,
        "endpoint": "https://new.example.test/sse",
        "scopes": mcp.scopes,
        "owner_team": mcp.owner_team_id,
        "release": "",
        "description": "",
        "version": mcp.version,
    }
    response = client_for(builder).post(url("component_edit", org, mcp.pk), data, follow=True)
    assert "awaits security approval again" in response.content.decode()
    mcp.refresh_from_db()
    assert mcp.approval == Approval.PROPOSED


def test_a_security_lead_approves_from_the_page_and_the_proposer_sees_no_button(
    client_for, org, system, builder, security_lead
):
    tool = ToolFactory(ai_system=system, created_by=builder)
    page = client_for(builder).get(url("component_detail", org, tool.pk))
    assert page.context["actions"] == []
    page = client_for(security_lead).get(url("component_detail", org, tool.pk))
    assert [a.name for a in page.context["actions"]] == ["approve", "reject"]
    client_for(security_lead).post(url("component_act", org, tool.pk), {"action": "approve", "version": tool.version})
    tool.refresh_from_db()
    assert tool.approval == Approval.APPROVED


def test_a_rejection_without_a_reason_is_refused_with_a_message(client_for, org, system, builder, security_lead):
    tool = ToolFactory(ai_system=system, created_by=builder)
    response = client_for(security_lead).post(
        url("component_act", org, tool.pk), {"action": "reject", "version": tool.version}, follow=True
    )
    assert "Say why it is rejected" in response.content.decode()
    tool.refresh_from_db()
    assert tool.approval == Approval.PROPOSED


def test_a_member_of_the_owner_team_retires_a_component(client_for, org, system, builder):
    dataset = DatasetFactory(ai_system=system)
    response = client_for(builder).post(
        url("component_retire", org, dataset.pk), {"reason": "No longer used.", "version": dataset.version}
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.retired_at is not None and dataset.retired_by == builder


def test_the_exports_download_as_cyclonedx_json(client_for, org, system, make_member):
    McpServerFactory(ai_system=system, name="Repo MCP")
    viewer = make_member(Role.VIEWER, "bom-viewer")
    response = client_for(viewer).get(url("system_bom", org, system.pk))
    assert response["Content-Type"] == "application/vnd.cyclonedx+json"
    assert "attachment" in response["Content-Disposition"]
    assert "Repo MCP" in {s["name"] for s in json.loads(response.content)["services"]}
    response = client_for(viewer).get(url("organisation_bom", org))
    assert "Code Agent" in {c["name"] for c in json.loads(response.content)["components"]}


def test_the_import_page_lists_every_problem_and_writes_nothing(client_for, org, system, builder):
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "components": [{"type": "machine-learning-model", "name": "A"}, {"type": "data", "name": "B"}],
    }
    upload = SimpleUploadedFile("bom.json", json.dumps(document).encode(), content_type="application/json")
    response = client_for(builder).post(url("bom_import", org, system.pk), {"file": upload})
    assert response.status_code == 200
    problems = response.context["problems"]
    assert len(problems) == 3  # the model's provider; the dataset's source and uses
    assert "nothing was imported" in response.content.decode()
    assert not Component.objects.exists()


def test_the_import_page_creates_and_reports_counts(client_for, org, system, builder):
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": "machine-learning-model", "name": "A", "supplier": {"name": "Labs"}},
            {"type": "library", "name": "numpy"},
        ],
    }
    upload = SimpleUploadedFile("bom.json", json.dumps(document).encode())
    response = client_for(builder).post(url("bom_import", org, system.pk), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "1 added, 0 updated, 0 unchanged" in page and "1 entries of other types" in page
    assert Component.objects.get().owner_team == system.owner_team


def test_the_organisation_list_filters_by_approval(client_for, org, system, builder):
    ToolFactory(ai_system=system, name="Waiting tool")
    McpServerFactory(ai_system=system, name="Approved MCP", approval=Approval.APPROVED)
    page = client_for(builder).get(url("component_list", org), {"approval": "proposed"}).content.decode()
    assert "Waiting tool" in page and "Approved MCP" not in page


def test_security_leads_see_what_awaits_them_on_their_work_page(client_for, org, system, builder, security_lead):
    ToolFactory(ai_system=system, name="Waiting tool", created_by=builder)
    page = client_for(security_lead).get(reverse("assessments:work_list", args=[org.slug])).content.decode()
    assert "Waiting tool" in page
    page = client_for(builder).get(reverse("assessments:work_list", args=[org.slug])).content.decode()
    assert "awaiting security approval" not in page
