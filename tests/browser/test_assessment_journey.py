"""The assessment journey in a real browser, as the demo users.

`lead` assesses the Support Chatbot and confirms the plan; `security` implements a prompt-injection
control with an uploaded file, `safety` a self-harm control with a note; each is verified by
someone else from their work list (inline, through htmx); the remaining controls are decided
through the services (clicking through 55 of them would say nothing new); `lead` submits,
`lead2` approves, and the system page's readiness follows every step.
"""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import Organisation
from assessments.models import AssessmentStatus, ControlAssignment
from assessments.services import assignments as work
from governance.models import AISystem
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_user(page, username, to="/"):
    sign_in(page, username, to=to)


def readiness_row(page, domain):
    return page.locator("#readiness-heading").locator("xpath=ancestor::section").locator("tr", has_text=domain)


def decide_the_rest(system, done_refs):
    """Evidence, implement and verify every other assignment, as its team and a lead would."""
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    workers = {"Security Engineering": "security", "Responsible AI": "safety", "ML Platform": "platform"}
    for a in ControlAssignment.objects.filter(ai_system=system).select_related(
        "control", "owner_team", "cosigning_team"
    ):
        if a.control.ref in done_refs:
            continue
        worker = users[workers[a.owner_team.name]]
        work.evidence_add(actor=worker, assignment=a, note=f"{a.control.ref} configured and tested.")
        a = work.assignment_act(actor=worker, assignment=a, action="implement", expected_version=a.version)
        verifier = users["lead2"] if a.owner_team.name == "Responsible AI" else users["lead"]
        a = work.assignment_act(actor=verifier, assignment=a, action="verify", expected_version=a.version)
        if a.cosigning_team_id:
            cosigner = users[workers[a.cosigning_team.name]]
            work.assignment_act(actor=cosigner, assignment=a, action="cosign", expected_version=a.version)


def test_an_assessment_from_questionnaire_to_approval(page, demo):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of irreversible steps
    system = AISystem.objects.get(name="Support Chatbot")
    system_url = f"/o/acme/systems/{system.pk}/"

    # --- lead: the questionnaire ---------------------------------------------------------------
    sign_in(page, "lead", to=system_url)
    expect(page.get_by_text("No controls assigned yet")).to_be_visible()
    page.get_by_role("link", name="Assessment", exact=True).click()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", name="Purpose and people")).to_be_visible()

    # Answers save as they change (htmx), and the assessment can be resumed later.
    page.get_by_label("What is the system for, in one or two sentences?").fill(
        "Answers customers' questions about orders on the public website."
    )
    page.get_by_label("Consumers who signed up").check()
    expect(page.locator("#autosave-status")).to_contain_text("Saved", timeout=10_000)
    page.get_by_label("How does a person check or correct its output").fill("Support staff review a daily sample.")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Capabilities")).to_be_visible()
    page.get_by_label("None: it only answers").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Model and data")).to_be_visible()
    page.get_by_label("Our internal documents").check()
    page.get_by_role("button", name="Save and continue").click()

    # Completing too early lists what is missing, each answer linked.
    page.goto(page.url.replace("/questions/exposure/", "/plan/"))
    expect(page.get_by_text("answers block completing the questionnaire")).to_be_visible()
    page.get_by_role("link", name="Describe the worst credible failure in a sentence or two.").click()
    expect(page.get_by_role("heading", name="Harm potential")).to_be_visible()
    page.get_by_label("Psychological harm").check()
    page.get_by_label("Describe the worst credible failure").fill("It encourages a distressed customer to self-harm.")
    page.get_by_label("Millions").check()
    page.get_by_role("button", name="4. Exposure to adversaries").click()  # saves this section first
    page.get_by_role("button", name="Save and continue").click()  # confirms the pre-filled profile answers
    page.get_by_role("button", name="Save and review the plan").click()

    # --- lead: the control plan ------------------------------------------------------------------
    expect(page.get_by_role("heading", name="Control plan for Support Chatbot")).to_be_visible()
    ph01 = page.locator("tr", has_text="PH-01")
    expect(ph01).to_contain_text("Prompt-injection")
    expect(ph01).to_contain_text("“Generates free text” is ticked")
    expect(ph01).to_contain_text("Security Engineering")  # the routed owner, as a name (no drop-down per row)
    expect(ph01.get_by_role("checkbox")).not_to_be_checked()
    confirm = page.get_by_role("button", name=re.compile(r"Confirm the plan and create \d+ assignments"))
    created = int(re.search(r"create (\d+)", confirm.inner_text()).group(1))
    confirm.click()
    expect(page.get_by_text("Plan confirmed")).to_be_visible()
    assert ControlAssignment.objects.filter(ai_system=system).count() == created
    page.goto(system_url)
    expect(readiness_row(page, "Security")).to_contain_text("0%")

    # --- security: a prompt-injection control with an uploaded report ----------------------------
    switch_user(page, "security")
    expect(page.get_by_role("heading", name="My team's work")).to_be_visible()
    page.get_by_role("link", name=re.compile("PH-01")).first.click()
    page.get_by_label("File").set_input_files(
        files=[
            {
                "name": "ph-01-test-run.md",
                "mimeType": "text/markdown",
                "buffer": b"# PH-01\n240 prompts, 0 got through.\n",
            }
        ]
    )
    page.get_by_role("button", name="Add evidence").last.click()
    expect(page.get_by_text("Evidence added.")).to_be_visible()
    expect(page.get_by_role("link", name="ph-01-test-run.md")).to_be_visible()
    page.get_by_role("button", name="Mark implemented").click()
    expect(page.get_by_text("Implemented · awaiting verification")).to_be_visible()
    assert page.get_by_role("button", name="Verify").count() == 0  # never by the implementer

    # --- safety: a self-harm control with a note ------------------------------------------------
    switch_user(page, "safety")
    page.get_by_role("link", name=re.compile("GR-01")).first.click()
    page.get_by_label("or a note").fill("Self-harm classifier on every answer; crisis resources shown instead.")
    page.get_by_role("button", name="Add evidence").last.click()
    page.get_by_role("button", name="Mark implemented").click()
    expect(page.get_by_text("Implemented · awaiting verification")).to_be_visible()

    # --- verified by someone else, inline from their work lists (htmx, no reload) -----------------
    switch_user(page, "lead", to="/o/acme/work/?status=implemented")
    page.locator("tr", has_text="PH-01").get_by_role("button", name="Verify").click()
    expect(page.locator("tr", has_text="PH-01")).to_contain_text("Verify: done")
    expect(page.locator("tr", has_text="PH-01")).to_contain_text("Verified")
    expect(page.locator("#live-region")).to_contain_text("PH-01: Verify done")

    switch_user(page, "lead2", to="/o/acme/work/?status=implemented")
    page.locator("tr", has_text="GR-01").get_by_role("button", name="Verify").click()
    expect(page.locator("tr", has_text="GR-01")).to_contain_text("Verified")

    page.goto(system_url)
    security = ControlAssignment.objects.filter(ai_system=system, control__domain__in=["security", "both"]).count()
    safety = ControlAssignment.objects.filter(ai_system=system, control__domain__in=["safety", "both"]).count()
    expect(readiness_row(page, "Security")).to_contain_text(f"1 of {security} verified")
    expect(readiness_row(page, "Safety")).to_contain_text(f"1 of {safety} verified")

    # --- the rest of the plan is worked; lead submits, lead2 approves --------------------------
    decide_the_rest(system, {"PH-01", "GR-01"})
    switch_user(page, "lead", to=system_url)
    page.get_by_role("link", name="Assessment", exact=True).click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review by Lena Lead")).to_be_visible()
    assert page.get_by_role("button", name="Record decision").count() == 0  # not by the submitter

    switch_user(page, "lead2", to=system_url)
    page.get_by_role("link", name="Assessment", exact=True).click()
    page.get_by_label("Approved").check()
    page.get_by_label("Comment").fill("Evidence checked on a sample.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("This assessment is locked.")).to_be_visible()

    page.goto(system_url)
    expect(readiness_row(page, "Security")).to_contain_text(f"100% · {security} of {security} verified")
    expect(readiness_row(page, "Safety")).to_contain_text(f"100% · {safety} of {safety} verified")
    expect(page.get_by_text("Latest assessment: Approved")).to_be_visible()
    assert system.assessments.get().status == AssessmentStatus.APPROVED
    assert Organisation.objects.get(slug="acme").audit_events.filter(action="assessments.assessment.approved").exists()
    assert page.console_errors == []  # no CSP violations or script errors
    assert settings.BASTION_DEMO_SEEDERS[-1] != "assessments.demo.seed"
