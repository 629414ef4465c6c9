import pytest
from django.urls import reverse

from tests.factories import (
    AISystemFactory,
    ControlFactory,
    FrameworkFactory,
    FrameworkItemFactory,
    OrganisationFactory,
    ThreatFactory,
)


@pytest.fixture
def control(db):
    item = FrameworkItemFactory(framework=FrameworkFactory(key="owasp-llm-2025", name="OWASP LLM 2025"), ref="LLM06")
    control = ControlFactory(
        ref="AC-01",
        title="Least privilege for agent tools",
        objective="Each tool call runs with the smallest set of rights the task needs.",
        guidance="Issue per-task credentials.\n\nRevoke them when the task ends.",
        applies_when={"flag": "uses_tools"},
        review_cadence_days=90,
        concerns=["agent_tool_misuse"],
        mappings=[item],
    )
    ThreatFactory(ref="TH-07", title="An agent's tool is turned against its owner").controls.set([control])
    return control


def url(org, control):
    return reverse("governance:control_detail", args=[org.slug, control.pk])


def test_it_shows_objective_guidance_applicability_and_mappings(client_for, viewer, org, control):
    response = client_for(viewer).get(url(org, control))
    html = response.content.decode()
    assert "Each tool call runs with the smallest set of rights" in html
    assert "<p>Revoke them when the task ends.</p>" in html  # paragraphs kept
    assert "Applies to AI systems where “Uses tools or takes actions”" in html
    assert "Review it every 90 days." in html
    assert "owasp-llm-2025:LLM06" in html and "OWASP LLM 2025" in html
    assert "Misuse of an agent&#x27;s tools" in html
    assert "TH-07" in html


def test_it_says_which_of_the_organisations_systems_it_applies_to_and_why(client_for, viewer, org, team, control):
    AISystemFactory(organisation=org, owner_team=team, name="Code Agent", uses_tools=True)
    AISystemFactory(organisation=org, owner_team=team, name="Chatbot", uses_tools=False)
    AISystemFactory(organisation=OrganisationFactory(), name="Someone else's agent", uses_tools=True)
    response = client_for(viewer).get(url(org, control))
    assert [s.name for s, _match in response.context["applies_to"]] == ["Code Agent"]
    assert [s.name for s in response.context["not_applicable"]] == ["Chatbot"]
    assert "“Uses tools or takes actions” is ticked" in response.content.decode()
    assert b"Someone else" not in response.content


def test_prose_is_escaped(client_for, viewer, org):
    control = ControlFactory(title="<script>alert(1)</script>", objective="<b>bold</b>")
    html = client_for(viewer).get(url(org, control)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_an_own_control_shows_its_history_and_edit_buttons_to_leads(client_for, lead, viewer, org):
    own = ControlFactory(organisation=org, ref="OWN-01")
    assert b"Retire" in client_for(lead).get(url(org, own)).content
    assert b"Retire" not in client_for(viewer).get(url(org, own)).content


def test_a_builtin_control_offers_no_edit(client_for, lead, org, control):
    assert reverse("governance:control_edit", args=[org.slug, control.pk]).encode() not in (
        client_for(lead).get(url(org, control)).content
    )


def test_another_organisations_control_is_404(client_for, viewer, org):
    theirs = ControlFactory(organisation=OrganisationFactory(), ref="THEIRS-01")
    assert client_for(viewer).get(url(org, theirs)).status_code == 404


def test_anonymous_is_sent_to_login(client, org, control):
    assert client.get(url(org, control))["Location"].startswith(reverse("login"))


def test_query_count_does_not_grow_with_systems(client_for, viewer, org, team, control, django_assert_num_queries):
    AISystemFactory.create_batch(5, organisation=org, owner_team=team, uses_tools=True)
    c = client_for(viewer)
    c.get(url(org, control))
    # session, user, membership, control, mappings, systems, threats, other organisations
    with django_assert_num_queries(8):
        c.get(url(org, control))
