"""What a newcomer meets: a forbidden page that says why, search, and joining by invitation."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Membership
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_sees_why_a_page_is_forbidden_and_a_way_back(page, demo):
    sign_in(page, "viewer", to="/o/acme/audit/")
    expect(page.get_by_role("heading", name="You cannot do this here")).to_be_visible()
    expect(page.get_by_text("Your role does not allow this.")).to_be_visible()
    expect(page.get_by_text("Ada Admin, Admin")).to_be_visible()  # whom to ask
    page.get_by_role("link", name="Go to the start page").click()
    page.wait_for_url("**/o/acme/systems/")
    # The browser logs the 403 status of the forbidden page itself; nothing else may fail.
    assert [e for e in page.console_errors if "status of 403" not in e] == []


def test_a_lead_searches_from_the_top_bar_and_opens_the_hits(page, demo):
    sign_in(page, "lead")
    page.locator("body").press("/")  # the keyboard shortcut focuses the search box
    page.keyboard.type("LLM01")
    page.keyboard.press("Enter")
    page.wait_for_url("**/o/acme/search/?q=LLM01")
    items = page.locator("#results-framework_items").locator("xpath=..")
    assert items.get_by_role("link").count() >= 1
    items.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/library/crosswalk/\?framework=.*#item-\d+"))
    expect(page.get_by_text("items are covered by at least one control")).to_be_visible()

    page.get_by_label("Search this organisation").fill("Hiring")
    page.get_by_label("Search this organisation").press("Enter")
    page.get_by_role("heading", name="AI systems").wait_for()
    page.locator("#results-systems").locator("xpath=..").get_by_role("link", name="Hiring Screener").click()
    expect(page.get_by_role("heading", name="Hiring Screener")).to_be_visible()
    assert page.console_errors == []


def test_an_admin_invites_a_new_member_who_sets_a_password_and_lands_in_the_organisation(page, demo, browser):
    sign_in(page, "admin", to="/o/acme/settings/members/")
    page.get_by_role("link", name="Invite a member").click()
    page.get_by_label("E-mail address or username").fill("nina@example.test")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/settings/members/")
    expect(page.get_by_text("Invitation for nina@example.test created")).to_be_visible()
    assert page.get_by_role("cell", name="nina@example.test").count() == 1  # a row, not yet a member

    assert [m.to for m in mail.outbox] == [["nina@example.test"]]
    link = re.search(r"https?://\S+/invitations/\S+", mail.outbox[0].body).group(0)

    newcomer = browser.new_context(reduced_motion="reduce")
    other = newcomer.new_page()
    other.goto(link)
    other.get_by_label("Username").fill("nina")
    other.get_by_label("First name").fill("Nina")
    other.get_by_label("Last name").fill("Newcomer")
    other.locator("#id_password1").fill("a-Long-new-passphrase")
    other.locator("#id_password2").fill("a-Long-new-passphrase")
    other.get_by_role("button", name="Create my account and join").click()
    other.wait_for_url("**/o/acme/**")
    expect(other.get_by_text("Welcome to Acme")).to_be_visible()
    assert Membership.objects.get(user__username="nina", organisation__slug="acme").role == "viewer"
    newcomer.close()
