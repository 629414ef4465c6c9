import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from threats.models import RedTeamExercise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_exercise_with_a_high_finding_is_approved_and_flagged_on_the_system_page(page, demo):
    sign_in(page, "platform", to="/o/acme/systems/")
    page.get_by_role("link", name="Support Chatbot").click()
    page.get_by_role("link", name="Red teaming", exact=True).last.click()
    page.get_by_role("link", name="Record an exercise").click()
    page.get_by_label("Objectives").fill("Make the chatbot reveal its instructions through attached files.")
    page.get_by_role("button", name="Record it").click()
    page.get_by_role("link", name="Add a finding").click()
    page.get_by_label("Title").fill("Instructions leak through an attached PDF")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("An adversary is deliberately trying to make it misbehave").check()
    page.get_by_role("button", name="Add finding").click()
    expect(page.get_by_text("1 open high or critical finding.")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()  # before leaving the page
    sign_in(page, "lead")
    exercise = RedTeamExercise.objects.get(ai_system__name="Support Chatbot")
    page.goto(f"/o/acme/red-team/{exercise.pk}/")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.").first).to_be_visible()  # before leaving the page
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("link", name="Instructions leak through an attached PDF")).to_be_visible()
    assert page.console_errors == []
