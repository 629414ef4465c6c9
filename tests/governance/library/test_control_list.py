import copy

import pytest
from django.urls import reverse

from governance.library import import_document
from governance.library.documents import builtin_document
from governance.models import Control
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory, OrganisationFactory


@pytest.fixture
def url(org):
    return reverse("governance:control_list", args=[org.slug])


def refs(response):
    return [c.ref for c in response.context["page"].object_list]


def test_it_lists_builtin_and_own_controls_but_not_other_organisations(client_for, viewer, org, url):
    ControlFactory(ref="B-01")
    ControlFactory(ref="OWN-01", organisation=org)
    ControlFactory(ref="THEIRS-01", organisation=OrganisationFactory())
    response = client_for(viewer).get(url)
    assert refs(response) == ["B-01", "OWN-01"]
    assert b"Our own" in response.content


def test_it_filters_by_domain_practice_framework_concern_source_and_status(client_for, viewer, org, url):
    owasp = FrameworkItemFactory(framework=FrameworkFactory(key="owasp-llm-2025"), ref="LLM01")
    atlas = FrameworkItemFactory(framework=FrameworkFactory(key="mitre-atlas-5.6"), ref="AML.T0051")
    ControlFactory(ref="S-01", domain="security", practice="prompt_hardening", mappings=[owasp, atlas])
    ControlFactory(ref="F-01", domain="safety", practice="guardrails", concerns=["jailbreak"], mappings=[atlas])
    ControlFactory(ref="F-02", domain="safety", practice="guardrails", concerns=["jailbreak_x"], mappings=[atlas])
    ControlFactory(ref="OWN-01", organisation=org, domain="both", practice="red_teaming", mappings=[owasp])
    ControlFactory(ref="OLD-01", retired_at="2026-01-01T00:00:00Z")
    c = client_for(viewer)
    assert refs(c.get(url, {"domain": "safety"})) == ["F-01", "F-02"]
    assert refs(c.get(url, {"practice": "red_teaming"})) == ["OWN-01"]
    assert refs(c.get(url, {"framework": "owasp-llm-2025"})) == ["OWN-01", "S-01"]  # each listed once
    assert refs(c.get(url, {"concern": "jailbreak"})) == ["F-01"]  # not the longer key that starts alike
    assert refs(c.get(url, {"source": "own"})) == ["OWN-01"]
    assert refs(c.get(url, {"status": "retired"})) == ["OLD-01"]
    assert refs(c.get(url, {"sort": "-domain"})) == ["S-01", "F-01", "F-02", "OWN-01"]


def test_full_text_search_looks_at_ref_title_objective_and_guidance(client_for, viewer, url):
    ControlFactory(ref="PH-01", title="Screen untrusted input")
    ControlFactory(ref="GR-01", title="Output filter", guidance="Block answers that describe self-harm methods.")
    ControlFactory(ref="AC-01", title="Least privilege", objective="Agents hold only the credentials a task needs.")
    c = client_for(viewer)
    assert refs(c.get(url, {"q": "ph-01"})) == ["PH-01"]
    assert refs(c.get(url, {"q": "self-harm answers"})) == ["GR-01"]  # every word, any field
    assert refs(c.get(url, {"q": "credentials"})) == ["AC-01"]
    assert refs(c.get(url, {"q": "credentials untrusted"})) == []


def test_an_invalid_filter_is_shown_on_the_form(client_for, viewer, url):
    ControlFactory(ref="B-01")
    response = client_for(viewer).get(url, {"domain": "vibes"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["domain"]
    assert b"invalid-feedback" in response.content


def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_leads_see_the_add_button_and_viewers_do_not(client_for, lead, viewer, url):
    assert b"Add a control" in client_for(lead).get(url).content
    assert b"Add a control" not in client_for(viewer).get(url).content


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_is_constant(client_for, viewer, org, url, rows, django_assert_num_queries):
    item = FrameworkItemFactory()
    for n in range(rows):
        ControlFactory(organisation=org if n % 2 else None, mappings=[item, FrameworkItemFactory()])
    c = client_for(viewer)
    c.get(url)  # the first visit remembers the organisation in the session
    # session, user, membership, framework choices, count, data version, page rows, their mappings,
    # other organisations
    with django_assert_num_queries(9):
        response = c.get(url, {"sort": "title"})
    assert response.content.count(b"<tr>") == rows + 1  # and the header row
    # The rows' HTML and their count are kept: neither the rows, nor their mappings, nor how
    # many there are is read.
    with django_assert_num_queries(6):
        assert c.get(url, {"sort": "title"}).content.count(b"<tr>") == rows + 1
    assert Control.objects.count() == rows


def test_kept_rows_follow_a_release_of_the_builtin_library(client_for, viewer, org, url, builtin_library):
    """The rows' HTML is kept under the organisation's data version; a release that changes a
    built-in control is recorded in every organisation, so the next view shows the new title."""
    c = client_for(viewer)
    ph01 = Control.objects.get(ref="PH-01")
    assert ph01.title in c.get(url, {"q": "PH-01"}).content.decode()
    document = copy.deepcopy(builtin_document())
    next(entry for entry in document["controls"] if entry["ref"] == "PH-01")["title"] = "Screen every input"
    import_document(document)
    body = c.get(url, {"q": "PH-01"}).content.decode()
    assert "Screen every input" in body and ph01.title not in body


def test_kept_rows_stay_escaped(client_for, viewer, org, url):
    """A title with markup shows as text, the first time and when the rows come back from the cache."""
    ControlFactory(ref="OWN-01", organisation=org, title="<b>Bold</b> control")
    c = client_for(viewer)
    for _ in range(2):
        body = c.get(url, {"source": "own"}).content
        assert b"&lt;b&gt;Bold&lt;/b&gt; control" in body and b"<b>Bold</b>" not in body
