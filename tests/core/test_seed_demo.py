"""The demo organisation (seed_demo), built once for the whole module and checked from every side."""

import datetime as dt
import io
import itertools

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Membership, Organisation, Team
from assessments.models import AssessmentStatus, AssignmentStatus, ControlAssignment, Evidence, OwnershipRule
from audit.models import AuditEvent
from audit.services import verify_chain
from governance.models import AISystem, Control, Scenario
from incidents.models import Incident
from readiness.controls import system_readiness
from records.services import follow_ups_of
from risks.models import RiskScenario
from threats.models import RedTeamExercise, ThreatModel

# One test process runs the whole module (`--dist loadgroup`): the demo is seeded once per process
# that runs any of these tests, and seeding is most of their cost.
pytestmark = pytest.mark.xdist_group("seed_demo")

DEMO_USERS = {
    "admin": "admin",
    "lead": "lead",
    "lead2": "lead",
    "security": "member",
    "safety": "member",
    "platform": "member",
    "auditor": "auditor",
}


def test_it_builds_the_demo_and_is_idempotent(demo_data):
    org = Organisation.objects.get(slug="acme")
    events, incidents = AuditEvent.objects.count(), Incident.objects.count()
    call_command("seed_demo", stdout=io.StringIO())  # a second run changes nothing
    assert (AuditEvent.objects.count(), Incident.objects.count()) == (events, incidents)
    assert Organisation.objects.count() == 1
    assert org.name == "Acme AI"
    assert {t.name: t.discipline for t in Team.objects.filter(organisation=org)} == {
        "Security Engineering": "security",
        "Responsible AI": "safety",
        "ML Platform": "both",
    }
    for username, role in DEMO_USERS.items():
        assert Membership.objects.get(organisation=org, user__username=username).role == role
    assert set(AISystem.objects.filter(organisation=org).values_list("name", flat=True)) == {
        "Support Chatbot",
        "Code Agent",
        "Hiring Screener",
        "Fraud Classifier",
        "Pricing RL Agent",
        "Frontier Research Model",
    }
    risks = RiskScenario.objects.filter(organisation=org)
    assert set(risks.exclude(scenario=None).values_list("scenario__ref", flat=True)) == {
        f"SCN-{n}" for n in range(1, 6)
    }
    assert risks.values("ai_system").distinct().count() == 6
    soon = timezone.localdate() + dt.timedelta(days=30)
    assert risks.filter(acceptance="accepted", acceptance_until__lte=soon).exists()
    assert risks.filter(acceptance="expired").exists()
    assert risks.filter(domain="both", acceptance="accepted", acceptance_cosigned_by__isnull=False).exists()
    chatbot = ThreatModel.objects.filter(ai_system__name="Support Chatbot").order_by("record_version")
    assert [(t.record_version, t.status) for t in chatbot] == [(1, "approved"), (2, "in_review")]
    assert set(chatbot[0].entries.values_list("threat__ref", flat=True)) == {"TH-01", "TH-02", "TH-05", "TH-09"}
    code_agent = RedTeamExercise.objects.get(ai_system__name="Code Agent")
    assert code_agent.status == "approved" and code_agent.ends_on < timezone.localdate()
    assert code_agent.findings.filter(severity="high", status="open").exists()
    assert code_agent.findings.filter(status="mitigated", retest_result="passed").exists()
    imported = code_agent.findings.filter(scanner="promptfoo").order_by("scanner_check")
    assert [(f.scanner_check, f.unmapped) for f in imported] == [("competitors", True), ("excessive-agency", False)]
    assert verify_chain(org).ok
    assert "lead2" in demo_data


def test_every_demo_user_can_sign_in_with_the_demo_password(demo_data, settings):
    request = RequestFactory().post("/accounts/login/")
    for username in DEMO_USERS:
        assert authenticate(request, username=username, password=settings.BASTION_DEMO_PASSWORD) is not None


def test_demo_profiles_differ_as_their_descriptions_say(demo_data):
    systems = {s.name: s for s in AISystem.objects.all()}
    assert systems["Hiring Screener"].decides_about_people and systems["Hiring Screener"].eu_ai_act_tier == "high"
    assert systems["Code Agent"].uses_tools and systems["Code Agent"].executes_code
    assert systems["Frontier Research Model"].dual_use_capability
    fraud = systems["Fraud Classifier"]
    assert fraud.provenance == "in_house" and not fraud.uses_tools and not fraud.dual_use_capability
    assert systems["Pricing RL Agent"].autonomy == "autonomous"
    assert systems["Support Chatbot"].exposure == "public"


# --- The demo's assessments: a realistic picture, built through the services ---------------


def test_seed_demo_adds_assessments_in_every_state(demo_data):
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


# --- seed_demo alone yields the built-in library and Acme's own control ----------------------


def test_seed_demo_loads_the_library_and_an_own_control_once(demo_data):
    call_command("seed_demo", stdout=io.StringIO())
    assert Control.objects.filter(organisation=None).count() == 179
    assert Scenario.objects.count() == 5
    own = Control.objects.get(organisation__slug="acme", ref="ACME-01")
    assert sorted(i.framework.key for i in own.mappings.all())[0] == "iso-42001-2023"
    # Acme's Support Chatbot generates text and processes personal data: the control applies to it.
    assert own.is_applicable_to(AISystem.objects.get(organisation=own.organisation, name="Support Chatbot"))
    assert not own.is_applicable_to(AISystem.objects.get(organisation=own.organisation, name="Pricing RL Agent"))


def test_seed_demo_gives_months_of_readiness_history(demo_data):
    """readiness.demo runs last: work spread over six months, snapshots of it (three in tests)."""
    from readiness.models import ReadinessSnapshot

    org = Organisation.objects.get(slug="acme")
    days = sorted(set(ReadinessSnapshot.objects.filter(organisation=org).values_list("day", flat=True)))
    assert len(days) == 3 and (days[-1] - days[0]).days > 150
    first, last = (
        ReadinessSnapshot.objects.get(organisation=org, day=day, subject="organisation", domain="security")
        for day in (days[0], days[-1])
    )
    assert last.verified > first.verified and last.systems_total == 6
    oldest = ControlAssignment.objects.filter(organisation=org).order_by("created_at").first()
    assert (timezone.now() - oldest.created_at).days > 100


# --- The Django admin opens every registered model, on the demo's rows ------------------------


def test_every_registered_model_lists_and_shows_an_object(client, demo_data):
    from django.contrib import admin
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_every_demo_system_has_components_and_the_code_agent_awaits_one_approval(demo_data):
    """components/demo.py: the AI-BOM of the six systems."""
    from components.models import Approval, Component, Kind
    from components.queries import summary

    systems = {s.name: s for s in AISystem.objects.filter(organisation__slug="acme")}
    found = summary([s.pk for s in systems.values()])
    assert all(found[s.pk].components for s in systems.values())
    agent = found[systems["Code Agent"].pk]
    assert (len(agent.tools), len(agent.mcp_servers)) == (3, 2)
    assert [c.name for c in agent.unapproved] == ["Internal docs MCP"]
    assert agent.warnings == []
    screener = found[systems["Hiring Screener"].pk]
    training = [c for c in screener.personal_datasets if "training" in c.dataset_uses]
    assert [c.name for c in training] == ["Past hiring outcomes 2019–2024"]
    assert [s.flag for s in found[systems["Frontier Research Model"].pk].suggestions] == ["processes_personal_data"]
    approved = Component.objects.filter(kind__in=[Kind.TOOL, Kind.MCP_SERVER], approval=Approval.APPROVED)
    assert all(c.decided_by.username == "lead" and c.proposed_by.username != "lead" for c in approved)


# --- Incidents and incident response (incidents/demo.py, response/demo.py) -----------------------
# Here rather than in those apps' test folders: the demo is built once per module, and seeding it
# is most of the cost of a demo test.


def test_the_demo_has_a_closed_safety_incident_and_an_open_security_incident(demo_data):
    org = Organisation.objects.get(slug="acme")
    closed = Incident.objects.get(organisation=org, domain="safety")
    assert closed.status == "closed" and closed.has_review and closed.closed_by.username == "lead2"
    assert closed.time_to_contain == dt.timedelta(hours=2, minutes=12)
    assert closed.time_to_resolve == dt.timedelta(hours=72, minutes=30)
    assert closed.threats.filter(ref="TH-41").exists() and closed.controls.count() == 2
    assert closed.risks.count() == 1 and closed.playbook.template_key == "harmful_output"
    assert [f.owner_team.name for f in follow_ups_of(closed)] == ["Responsible AI"]
    opened = Incident.objects.get(organisation=org, domain="security")
    assert opened.status == "open" and opened.timeline.count() == 4
    assert opened.playbook.template_key == "prompt_injection_leak" and opened.plan.is_approved
    entries = list(opened.timeline.all())
    assert all(a.occurred_at < b.occurred_at for a, b in itertools.pairwise(entries))
    assert entries[0].occurred_at > opened.detected_at


def test_the_demo_plan_covers_every_system_and_passes_the_gate(demo_data):
    from django.contrib.contenttypes.models import ContentType

    from records.models import FollowUp
    from response.coverage import coverage
    from response.models import IncidentResponsePlan, TabletopExercise
    from response.templates import all_templates

    org = Organisation.objects.get(slug="acme")
    plan = IncidentResponsePlan.objects.get(organisation=org)
    systems = AISystem.objects.filter(organisation=org)
    assert plan.status == "approved" and plan.approved_by.username == "lead2"
    assert set(plan.systems.all()) == set(systems)
    assert set(plan.playbooks.values_list("template_key", flat=True)) == {t.key for t in all_templates()}
    assert plan.roles.count() == 5
    tabletop = TabletopExercise.objects.get(plan=plan)
    assert tabletop.status == "approved"
    follow_ups = FollowUp.objects.filter(source_type=ContentType.objects.get_for_model(TabletopExercise))
    assert follow_ups.filter(source_id=tabletop.pk, due_date__gt=timezone.localdate()).count() == 2
    result = coverage(systems.values_list("pk", flat=True))
    assert all(c.ok for c in result.values()), [c.reason for c in result.values()]
