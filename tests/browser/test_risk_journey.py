import pytest
from playwright.sync_api import expect

from risks.models import RiskScenario
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_risk_is_added_approved_and_counted_on_the_system_page(page, demo):
    sign_in(page, "lead", to="/o/acme/systems/")
    page.get_by_role("link", name="Support Chatbot").click()
    page.get_by_role("link", name="Risks", exact=True).click()
    page.get_by_role("link", name="Add a risk").click()
    page.get_by_label("Title").fill("Refund policy invented by the assistant")
    page.get_by_label("Scenario").fill("An attacker coaxes the assistant into promising refunds.")
    page.get_by_label("An adversary is deliberately trying to make it misbehave").check()
    for field, value in [
        ("Inherent likelihood", "4"),
        ("Inherent impact", "4"),
        ("Residual likelihood", "5"),
        ("Residual impact", "1"),
    ]:
        page.get_by_label(field).select_option(value)
    page.get_by_role("button", name="Add risk").click()
    page.wait_for_url("**/risks/*/")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    sign_in(page, "lead2")
    risk = RiskScenario.objects.get(title="Refund policy invented by the assistant")
    page.goto(f"/o/acme/risks/{risk.pk}/")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.").first).to_be_visible()

    page.get_by_role("link", name="Overview").click()
    cell = (
        page.locator("#panel-heatmap-caption").locator("xpath=..").locator("td[data-likelihood='5'][data-impact='1'] a")
    )
    expect(cell).to_have_text("1")
    cell.click()
    page.wait_for_url("**likelihood=5**")
    rows = page.locator("table:not(.heatmap) tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Refund policy invented")
    assert page.console_errors == []
