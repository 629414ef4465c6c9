import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_filters_the_library_by_domain_and_reads_a_controls_mappings(page, demo):
    sign_in(page, "viewer")
    page.get_by_role("link", name="Library").first.click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()

    page.get_by_label("Domain").select_option("safety")
    page.get_by_label("Practice").select_option("guardrails")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**domain=safety**")
    rows = page.locator("table tbody tr")
    assert rows.count() > 1
    for i in range(rows.count()):
        assert "Safety" in rows.nth(i).inner_text()

    page.get_by_role("link", name="Self-harm content safeguard").first.click()
    expect(page.get_by_role("heading", name="Mappings")).to_be_visible()
    assert page.locator("ul.mappings li").count() >= 3
    assert page.locator("ul.mappings").get_by_text("nist-ai-600-1:", exact=False).count() >= 1
    expect(page.get_by_text("Applies to AI systems where")).to_be_visible()
    expect(page.get_by_role("link", name="Support Chatbot")).to_be_visible()  # one of Acme's systems it applies to

    page.locator("a.mapping-framework").first.click()
    page.wait_for_url("**/library/crosswalk/?framework=*")
    expect(page.get_by_text("items are covered by at least one control")).to_be_visible()
    assert page.console_errors == []  # no CSP violations or script errors


def test_a_lead_adds_an_own_control_that_maps_to_a_builtin_item(page, demo):
    sign_in(page, "lead", to="/o/acme/library/controls/new/")
    page.get_by_label("Reference").fill("ACME-02")
    page.get_by_label("Title").fill("Label answers written by the assistant")
    page.get_by_label("Objective").fill("Customers can always tell an answer came from the assistant.")
    page.get_by_label("Domain").select_option("safety")
    page.get_by_label("Governance practice").select_option("guardrails")
    page.get_by_label("Applies when").fill("{field: exposure, in: [public, customer_facing]}")
    page.get_by_label("Framework mappings").fill("eu-ai-act-2024:Art.50")
    page.get_by_role("button", name="Add control").click()
    page.wait_for_url("**/library/controls/*/")
    expect(page.get_by_role("heading", name="ACME-02 Label answers written by the assistant")).to_be_visible()
    expect(page.locator("ul.mappings").get_by_text("eu-ai-act-2024:Art.50")).to_be_visible()
    assert page.console_errors == []
