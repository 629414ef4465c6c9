import datetime as dt

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Membership, Organisation, Team
from audit.models import AuditEvent
from audit.services import verify_chain
from governance.models import AISystem
from risks.models import RiskScenario
from threats.models import RedTeamExercise, ThreatModel

DEMO_USERS = {
    "admin": "admin",
    "lead": "lead",
    "lead2": "lead",
    "security": "member",
    "safety": "member",
    "platform": "member",
    "auditor": "auditor",
}


def test_it_builds_the_demo_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    org = Organisation.objects.get(slug="acme")
    events = AuditEvent.objects.count()
    call_command("seed_demo")  # a second run changes nothing
    assert AuditEvent.objects.count() == events
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
    assert verify_chain(org).ok
    assert "lead2" in capsys.readouterr().out


def test_every_demo_user_can_sign_in_with_the_demo_password(db, settings):
    settings.BASTION_DEMO_PASSWORD = "s3cret-demo"
    call_command("seed_demo")
    request = RequestFactory().post("/accounts/login/")
    for username in DEMO_USERS:
        assert authenticate(request, username=username, password="s3cret-demo") is not None


def test_demo_profiles_differ_as_their_descriptions_say(db):
    call_command("seed_demo")
    systems = {s.name: s for s in AISystem.objects.all()}
    assert systems["Hiring Screener"].decides_about_people and systems["Hiring Screener"].eu_ai_act_tier == "high"
    assert systems["Code Agent"].uses_tools and systems["Code Agent"].executes_code
    assert systems["Frontier Research Model"].dual_use_capability
    fraud = systems["Fraud Classifier"]
    assert fraud.provenance == "in_house" and not fraud.uses_tools and not fraud.dual_use_capability
    assert systems["Pricing RL Agent"].autonomy == "autonomous"
    assert systems["Support Chatbot"].exposure == "public"
