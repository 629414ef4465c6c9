import pytest
from django.utils import timezone
from playwright.sync_api import expect

from response.models import IncidentResponsePlan
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_is_started_approved_by_another_lead_and_listed_on_the_system_page(page, demo):
    sign_in(page, "lead", to="/o/acme/ir-plans/")
    page.get_by_role("link", name="Start a plan").first.click()
    page.get_by_label("Primary system").select_option(label="Code Agent")
    page.get_by_label("Title").fill("Code Agent response plan")
    page.get_by_label("Also covers").select_option(label="Pricing RL Agent")
    page.get_by_label("Escalation path").fill("On-call engineer\nIncident commander")
    page.get_by_role("button", name="Start the plan").click()
    page.wait_for_url("**/ir-plans/*/")
    # Started from the templates that fit an agent with tools and a reinforcement-learning agent.
    expect(page.get_by_role("heading", name="Agent tool misuse")).to_be_visible()
    expect(page.get_by_role("heading", name="Runaway autonomous agent")).to_be_visible()
    assert page.get_by_role("heading", name="Biased automated decisions").count() == 0
    page.get_by_role("link", name="Edit plan, severity levels and notifications").click()
    page.locator("#id_severity-0-respond_within_minutes").fill("10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="10 min")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    sign_in(page, "lead2")
    plan = IncidentResponsePlan.objects.get(title="Code Agent response plan")
    page.goto(f"/o/acme/ir-plans/{plan.pk}/")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.").first).to_be_visible()

    page.goto("/o/acme/systems/")
    page.get_by_role("link", name="Pricing RL Agent").click()
    page.get_by_role("link", name="IR plan", exact=True).click()
    expect(page.get_by_role("link", name="Code Agent response plan")).to_be_visible()
    assert page.console_errors == []


def test_a_tabletop_exercise_is_recorded_signed_off_and_shown_on_the_system_page(page, demo):
    sign_in(page, "platform", to="/o/acme/ir-plans/")
    page.get_by_role("link", name="Acme AI incident-response plan").click()
    page.get_by_role("link", name="Record one").click()
    page.get_by_label("Title").fill("Runaway pricing agent drill")
    page.get_by_label("Held on").fill(timezone.localdate().isoformat())
    page.get_by_label("Playbook exercised").select_option(label="Runaway autonomous agent")
    page.get_by_label("Scenario").fill("The pricing agent keeps cutting prices after the stop order.")
    page.get_by_label("Timeline").fill("10:00 alarm on price changes\n10:07 kill switch used")
    page.get_by_label("What went badly").fill("The kill switch was documented in two places.")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("10:07 kill switch used")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()  # before leaving the page
    sign_in(page, "lead", to="/o/acme/ir-plans/")
    page.get_by_role("link", name="Acme AI incident-response plan").click()
    page.get_by_role("link", name="Runaway pricing agent drill").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.").first).to_be_visible()

    page.goto("/o/acme/systems/")
    page.get_by_role("link", name="Pricing RL Agent").click()
    panel = page.get_by_role("region", name="Incident response")
    expect(panel.get_by_text("Gate passes")).to_be_visible()
    expect(panel.get_by_role("link", name="Runaway pricing agent drill")).to_be_visible()
    assert page.console_errors == []
