import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_mcp_server_is_added_approved_by_a_security_lead_and_exported(page, demo):
    # A lead (of the safety team) adds an MCP server to the Code Agent.
    sign_in(page, "lead2", to="/o/acme/systems/")
    page.get_by_role("link", name="Code Agent").click()
    page.get_by_role("link", name="Components", exact=True).click()
    page.get_by_role("button", name="Add a component").click()
    page.get_by_role("link", name="MCP server").click()
    page.get_by_label("Name").fill("Calendar MCP")
    page.get_by_label("Publisher").fill("Calendar vendor")
    page.get_by_label("Endpoint").fill("https://mcp.calendar.example/sse")
    page.get_by_label("Scopes granted").fill("events:read")
    page.get_by_role("button", name="Add component").click()
    page.wait_for_url("**/systems/*/components/")
    expect(page.get_by_text("It awaits a security lead's approval.")).to_be_visible()
    expect(page.get_by_role("link", name="Calendar MCP").first).to_be_visible()

    # The security lead approves it from its page.
    sign_in(page, "lead", to="/o/acme/work/")
    page.get_by_role("link", name="Calendar MCP").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: the agent may use it.")).to_be_visible()

    # The system's CycloneDX export lists it as an approved MCP server.
    page.get_by_role("link", name="Components", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export AI-BOM (CycloneDX JSON)").click()
    document = json.loads(open(download_info.value.path()).read())  # noqa: SIM115
    services = {s["name"]: s for s in document["services"]}
    props = {p["name"]: p["value"] for p in services["Calendar MCP"]["properties"]}
    assert props["bastion:kind"] == "mcp_server" and props["bastion:approval"] == "approved"
    assert services["Calendar MCP"]["endpoints"] == ["https://mcp.calendar.example/sse"]
    assert page.console_errors == []
