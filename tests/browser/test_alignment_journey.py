import pytest
from playwright.sync_api import expect

from alignment.models import AlignmentReview
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_review_with_its_required_areas_is_approved_by_a_safety_lead_and_shown_on_the_system_page(page, demo):
    sign_in(page, "platform", to="/o/acme/systems/")
    page.get_by_role("link", name="Pricing RL Agent").click()
    page.get_by_role("link", name="Alignment", exact=True).last.click()
    page.get_by_role("link", name="Start an alignment review").click()
    # The profile (reinforcement learning, autonomous) ticks and requires these areas.
    assert page.get_by_label("Reward hacking and specification gaming").is_checked()
    assert page.get_by_label("Autonomy limits and runaway behaviour").is_checked()
    page.get_by_label("Method").fill("Replayed a month of pricing decisions in the simulator and audited the reward.")
    page.get_by_role("button", name="Start the review").click()
    page.get_by_role("link", name="Add a metric").click()
    page.get_by_label("Scope area").select_option("reward_hacking")
    page.get_by_label("Metric").fill("Episodes exploiting the reward")
    page.get_by_role("spinbutton", name="Value").fill("0.5")
    page.get_by_label("Passes when the value is").select_option("le")
    page.get_by_role("spinbutton", name="Threshold").fill("1")
    page.get_by_label("Unit").fill("%")
    page.get_by_role("button", name="Add metric").click()
    expect(page.get_by_text("Pass", exact=True)).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()  # before leaving the page
    sign_in(page, "lead2")
    review = AlignmentReview.objects.get(ai_system__name="Pricing RL Agent")
    page.goto(f"/o/acme/alignment-reviews/{review.pk}/")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Approved.").first).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    panel = page.locator("section", has=page.get_by_role("heading", name="Alignment review"))
    expect(panel.get_by_text("Approved; next review due")).to_be_visible()
    assert page.console_errors == []
