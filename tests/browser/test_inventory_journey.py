import pytest
from playwright.sync_api import expect

from governance.models import AISystem
from tests.browser.conftest import sign_in, sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_system_and_finds_it_in_the_list(page, demo, settings):
    settings.BASTION_DEMO_PASSWORD = "demo"
    sign_in_with_password(page, "admin")  # the one journey through the sign-in form
    expect(page.get_by_role("heading", name="Readiness dashboard")).to_be_visible()  # admins land here
    page.get_by_role("link", name="AI systems", exact=True).click()
    expect(page.get_by_role("heading", name="AI systems")).to_be_visible()
    expect(page.get_by_role("link", name="Support Chatbot")).to_be_visible()

    page.get_by_role("link", name="Add an AI system").first.click()
    page.get_by_label("Name").fill("Claims Triage Assistant")
    page.get_by_label("What it does").fill("Reads insurance claims and proposes a priority for the claims team.")
    page.get_by_label("Owner team").select_option(label="ML Platform")
    page.get_by_label("Lifecycle stage").select_option("development")
    page.get_by_label("System type").select_option("chat_assistant")
    page.get_by_label("Model provenance").select_option("third_party_api")
    page.get_by_label("Exposure").select_option("internal")
    page.get_by_label("Autonomy").select_option("human_in_loop")
    page.get_by_label("Generates free text").check()
    page.get_by_label("Processes personal data").check()
    page.get_by_label("EU AI Act tier").select_option("limited")
    page.get_by_role("button", name="Add system").click()

    page.wait_for_url("**/systems/*/")
    expect(page.get_by_role("heading", name="Claims Triage Assistant")).to_be_visible()
    assert AISystem.objects.filter(name="Claims Triage Assistant", generates_text=True).exists()

    page.get_by_role("link", name="AI systems").first.click()
    page.get_by_label("Search", exact=True).fill("claims")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**q=claims**")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Claims Triage Assistant")
    assert page.console_errors == []  # no CSP violations or script errors


def test_an_invalid_form_shows_field_errors(page, demo):
    sign_in(page, "lead", to="/o/acme/systems/new/")
    page.get_by_role("button", name="Add system").click()
    expect(page.get_by_text("nothing was saved")).to_be_visible()
    assert page.locator(".invalid-feedback").count() > 3
