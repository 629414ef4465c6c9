import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_incident_is_reported_contained_resolved_and_shown_on_the_system_page(page, demo):
    sign_in(page, "security", to="/o/acme/systems/")
    page.get_by_role("link", name="Support Chatbot").click()
    page.locator(".nav-tabs").get_by_role("link", name="Incidents").click()
    page.get_by_role("link", name="Report an incident").click()
    page.get_by_label("Title").fill("Refund tool called from a pasted e-mail")
    page.get_by_label("What happened").fill("Hidden text in a pasted e-mail made the assistant call the refund tool.")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("An adversary is deliberately trying to make it misbehave").check()
    page.get_by_role("button", name="Report incident").click()
    page.wait_for_url("**/incidents/*/")
    expect(page.get_by_text("Incident reported")).to_be_visible()

    page.locator("#timeline").get_by_label("What happened").fill("Disabled the refund tool for the assistant.")
    page.locator("#timeline").get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added to the timeline.")).to_be_visible()
    page.get_by_role("button", name="Mark contained").click()
    expect(page.get_by_text("Incident contained.")).to_be_visible()
    expect(page.get_by_test_id("time-to-contain")).to_be_visible()
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_text("Incident resolved.")).to_be_visible()
    incident = Incident.objects.get(title="Refund tool called from a pasted e-mail")
    assert incident.status == "resolved" and incident.timeline.count() == 1

    page.get_by_role("link", name="Support Chatbot").click()
    rows = page.locator("table tbody tr", has_text="Refund tool called from a pasted e-mail")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Resolved")
    assert page.console_errors == []
