"""The demo's assessments: a realistic picture, built through the services."""

from django.core.management import call_command

from accounts.models import Organisation
from assessments.models import AssessmentStatus, AssignmentStatus, ControlAssignment, Evidence, OwnershipRule
from assessments.readiness import system_readiness
from audit.services import verify_chain


def test_seed_demo_adds_assessments_in_every_state(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    org = Organisation.objects.get(slug="acme")
    systems = {s.name: s for s in org.ai_systems.all()}
    status = {name: list(s.assessments.values_list("status", flat=True)) for name, s in systems.items()}
    assert status["Support Chatbot"] == [AssessmentStatus.APPROVED]
    assert status["Code Agent"] == [AssessmentStatus.IN_PROGRESS]
    assert status["Hiring Screener"] == [AssessmentStatus.IN_PROGRESS]
    assert status["Fraud Classifier"] == []

    approved = systems["Support Chatbot"].assessments.get()
    assert (approved.submitted_by.username, approved.approved_by.username) == ("lead", "lead2")
    assert system_readiness(systems["Support Chatbot"]).all_decided

    working = ControlAssignment.objects.filter(ai_system__name__in=["Code Agent", "Hiring Screener"])
    states = set(working.values_list("status", flat=True))
    assert states == {s.value for s in AssignmentStatus}
    assert working.filter(status="not_applicable", na_approved_at__isnull=True).exists()  # awaiting a lead
    assert working.filter(status="implemented", verified_by__isnull=False, cosigned_by__isnull=True).exists()
    assert working.overdue().exists()
    assert working.filter(assignee__isnull=False).exists()

    assert Evidence.objects.filter(kind="file").exists() and Evidence.objects.filter(kind="link").exists()
    chatbot_ph01 = ControlAssignment.objects.get(ai_system__name="Support Chatbot", control__ref="PH-01")
    assert chatbot_ph01.status == AssignmentStatus.VERIFIED and chatbot_ph01.evidence.get().kind == "file"
    assert OwnershipRule.objects.filter(organisation=org).count() == 2
    assert verify_chain(org).ok
