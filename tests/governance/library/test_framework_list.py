import pytest
from django.urls import reverse

from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory, OrganisationFactory


@pytest.fixture
def url(org):
    return reverse("governance:framework_list", args=[org.slug])


def test_it_shows_source_licence_attribution_and_coverage(client_for, viewer, org, url):
    framework = FrameworkFactory(
        name="OWASP LLM 2025", url="https://genai.owasp.org/llm-top-10/", licence="CC-BY-SA-4.0", notice="© OWASP"
    )
    covered, _uncovered = FrameworkItemFactory(framework=framework), FrameworkItemFactory(framework=framework)
    ControlFactory(mappings=[covered])
    ControlFactory(mappings=[covered])  # two controls on one item still count the item once
    ControlFactory(organisation=OrganisationFactory(), mappings=[_uncovered])  # not visible to this organisation
    response = client_for(viewer).get(url)
    row = next(f for f in response.context["frameworks"] if f.pk == framework.pk)
    assert (row.covered_count, row.item_count) == (1, 2)
    html = response.content.decode()
    assert 'href="https://genai.owasp.org/llm-top-10/"' in html
    assert "CC-BY-SA-4.0" in html and "© OWASP" in html


def test_it_lists_own_frameworks_but_not_other_organisations(client_for, lead, org, url):
    FrameworkFactory(organisation=org, name="Acme AI policy")
    FrameworkFactory(organisation=OrganisationFactory(), name="Their policy")
    html = client_for(lead).get(url).content.decode()
    assert "Acme AI policy" in html and "Their policy" not in html
    assert "Add a framework" in html


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_is_constant(client_for, viewer, url, rows, django_assert_num_queries):
    for _ in range(rows):
        ControlFactory(mappings=[FrameworkItemFactory()])  # one framework per control
    c = client_for(viewer)
    c.get(url)
    # session, user, membership, frameworks with counts, other organisations
    with django_assert_num_queries(5):
        response = c.get(url)
    assert len(response.context["frameworks"]) == rows


def test_a_retired_framework_stays_listed_after_the_others_and_marked(client_for, viewer, url):
    FrameworkFactory(name="A retired framework", retired_at="2026-01-01T00:00:00Z")
    FrameworkFactory(name="Zeta framework")
    response = client_for(viewer).get(url)
    assert [f.name for f in response.context["frameworks"]] == ["Zeta framework", "A retired framework"]
    assert b"Retired" in response.content
