import pytest
from django.urls import reverse

from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory, OrganisationFactory


@pytest.fixture
def url(org):
    return reverse("governance:crosswalk", args=[org.slug])


@pytest.fixture
def framework(org):
    framework = FrameworkFactory(
        key="owasp-llm-2025", name="OWASP LLM 2025", licence="CC-BY-SA-4.0", notice="© OWASP contributors"
    )
    llm01, llm02, llm03 = (FrameworkItemFactory(framework=framework, ref=f"LLM0{n}", position=n) for n in (1, 2, 3))
    ControlFactory(ref="PH-01", mappings=[llm01])
    ControlFactory(ref="ACME-01", organisation=org, mappings=[llm01, llm02])
    ControlFactory(ref="THEIRS-01", organisation=OrganisationFactory(), mappings=[llm03])  # not this organisation's
    ControlFactory(ref="OLD-01", retired_at="2026-01-01T00:00:00Z", mappings=[llm03])  # retired: covers nothing
    return framework


def rows(response):
    return [(item.ref, [c.ref for c in item.covering]) for item in response.context["items"]]


def test_it_shows_each_item_with_the_controls_that_cover_it(client_for, viewer, url, framework):
    response = client_for(viewer).get(url, {"framework": "owasp-llm-2025"})
    assert rows(response) == [("LLM01", ["ACME-01", "PH-01"]), ("LLM02", ["ACME-01"]), ("LLM03", [])]
    html = response.content.decode()
    assert "2 of 3 items are covered" in html
    assert "Not covered" in html
    assert "CC-BY-SA-4.0" in html and "© OWASP contributors" in html and framework.url in html


def test_it_can_show_only_the_items_no_control_covers(client_for, viewer, url, framework):
    response = client_for(viewer).get(url, {"framework": "owasp-llm-2025", "uncovered": "1"})
    assert rows(response) == [("LLM03", [])]


def test_without_a_framework_it_asks_for_one(client_for, viewer, url, framework):
    response = client_for(viewer).get(url, {"framework": "no-such-framework"})
    assert response.context["selected"] is None
    assert b"Pick a framework" in response.content


def test_another_organisations_framework_cannot_be_picked(client_for, viewer, url):
    FrameworkFactory(key="their-policy", organisation=OrganisationFactory())
    assert client_for(viewer).get(url, {"framework": "their-policy"}).context["selected"] is None


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows_count", [3, 30])
def test_query_count_is_constant(client_for, viewer, url, rows_count, django_assert_num_queries):
    framework = FrameworkFactory(key="big")
    for n in range(rows_count):
        ControlFactory(mappings=[FrameworkItemFactory(framework=framework, position=n)])
    c = client_for(viewer)
    c.get(url)
    # session, user, membership, frameworks, items, their controls, other organisations
    with django_assert_num_queries(7):
        response = c.get(url, {"framework": "big"})
    assert len(response.context["items"]) == rows_count


def test_a_retired_framework_stays_readable_with_its_items(client_for, viewer, url):
    old = FrameworkFactory(key="owasp-llm-2023", retired_at="2026-01-01T00:00:00Z")
    FrameworkItemFactory(framework=old, ref="LLM01", retired_at="2026-01-01T00:00:00Z")
    response = client_for(viewer).get(url, {"framework": "owasp-llm-2023"})
    assert rows(response) == [("LLM01", [])]
    assert b"Retired" in response.content


def test_out_of_scope_and_grouping_items_stand_apart_from_uncovered_ones(client_for, viewer, url):
    framework = FrameworkFactory(key="eu-ai-act-2024")
    group = FrameworkItemFactory(framework=framework, ref="Chapter", position=0)
    ControlFactory(mappings=[FrameworkItemFactory(framework=framework, ref="Art.9", parent=group, position=1)])
    FrameworkItemFactory(framework=framework, ref="Art.70", position=2, out_of_scope="Addressed to Member States.")
    FrameworkItemFactory(framework=framework, ref="Art.10", position=3, note="Checked by a reviewer.")
    response = client_for(viewer).get(url, {"framework": "eu-ai-act-2024"})
    assert [(item.ref, item.status) for item in response.context["items"]] == [
        ("Chapter", "sub_items"),
        ("Art.9", "covered"),
        ("Art.70", "out_of_scope"),
        ("Art.10", "uncovered"),
    ]
    html = response.content.decode()
    assert "Out of scope" in html and "Addressed to Member States." in html
    assert "Through its sub-items" in html and "Checked by a reviewer." in html
    assert "1 item is out of scope" in html and "1 item is not covered" in html
    uncovered = client_for(viewer).get(url, {"framework": "eu-ai-act-2024", "uncovered": "1"})
    assert [item.ref for item in uncovered.context["items"]] == ["Art.10"]
