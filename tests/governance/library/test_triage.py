import pytest
from django.urls import reverse

from accounts.models import Discipline
from governance.models import Scenario
from tests.factories import TeamFactory

DESIGN_VERDICTS = {
    "Prompt injection reveals internal instructions": "security",
    "Chatbot gives self-harm advice without prompting": "safety",
    "Agent schedules repeated appointments from a malformed input": "both",
    "Poisoned training data changes how the model classifies inputs": "both",
    "LLM reinforces discriminatory hiring decisions": "safety",
}


@pytest.fixture
def url(org):
    return reverse("governance:triage", args=[org.slug])


def answers(hostile: bool, benign: bool, description="A risk we worry about."):
    return {
        "description": description,
        "hostile_intent": "yes" if hostile else "no",
        "harm_in_benign_use": "yes" if benign else "no",
    }


@pytest.mark.parametrize(("title", "verdict"), DESIGN_VERDICTS.items())
def test_each_builtin_scenario_triages_to_its_design_verdict(client_for, viewer, url, builtin_library, title, verdict):
    scenario = Scenario.objects.get(title=title)
    response = client_for(viewer).get(url, answers(scenario.hostile_intent, scenario.harm_in_benign_use, title))
    assert response.context["verdict"] == verdict
    assert scenario in response.context["examples"]
    assert all(s.expected_domain == verdict for s in response.context["examples"])


def test_the_typical_owner_follows_the_teams_disciplines(client_for, viewer, org, url):
    TeamFactory(organisation=org, name="AppSec", discipline=Discipline.SECURITY)
    TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY)
    TeamFactory(organisation=org, name="Platform", discipline=Discipline.BOTH)
    c = client_for(viewer)

    def owners(hostile, benign):
        return [(o.role, [t.name for t in o.teams]) for o in c.get(url, answers(hostile, benign)).context["owners"]]

    assert owners(True, False) == [("Owner", ["AppSec"])]
    assert owners(False, True) == [("Owner", ["Responsible AI"])]
    assert owners(True, True) == [("Primary owner", ["AppSec"]), ("Co-signing owner", ["Responsible AI"])]


def test_a_team_of_both_disciplines_stands_in_when_no_specialist_exists(client_for, viewer, org, url):
    TeamFactory(organisation=org, name="Platform", discipline=Discipline.BOTH)
    owners = client_for(viewer).get(url, answers(False, True)).context["owners"]
    assert [t.name for t in owners[0].teams] == ["Platform"]


def test_neither_answer_means_it_is_no_ai_security_or_safety_risk(client_for, viewer, url):
    response = client_for(viewer).get(url, answers(False, False))
    assert response.context["verdict"] is None
    assert b"not an AI security or safety risk" in response.content


def test_the_page_starts_with_the_worked_examples_and_no_verdict(client_for, viewer, url, builtin_library):
    response = client_for(viewer).get(url)
    assert "answered" not in response.context
    assert len(response.context["examples"]) == 5


def test_an_incomplete_form_is_shown_again(client_for, viewer, url):
    response = client_for(viewer).get(url, {"description": "", "hostile_intent": "yes"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"description", "harm_in_benign_use"}
    assert "answered" not in response.context


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))
