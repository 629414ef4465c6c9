import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from threats.models import ThreatModel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_threat_model_is_started_from_suggestions_approved_and_shown_on_the_system_page(page, demo):
    sign_in(page, "platform", to="/o/acme/systems/")
    page.get_by_role("link", name="Code Agent").click()
    page.get_by_role("link", name="Threat model", exact=True).click()
    page.get_by_role("link", name="Start a threat model").click()
    assert page.get_by_label("Tools and actions").is_checked()  # preselected from the profile
    page.get_by_label("Scope").fill("The agent, its repository and shell tools, and the web pages it reads.")
    page.get_by_role("button", name="Start it").click()
    page.get_by_role("link", name="Suggest threats for this system").click()
    expect(page.locator("input[name=threats]").nth(3)).to_be_attached()  # more than three suggested
    page.get_by_role("button", name="Add the ticked threats").click()
    expect(page.get_by_text("threats added")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()  # before leaving the page
    sign_in(page, "lead")
    tm = ThreatModel.objects.get(ai_system__name="Code Agent")
    page.goto(f"/o/acme/threat-models/{tm.pk}/")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.").first).to_be_visible()  # before leaving the page
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("link", name="Version 1 approved")).to_be_visible()
    assert page.console_errors == []
