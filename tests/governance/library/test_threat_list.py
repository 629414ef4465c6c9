import pytest
from django.urls import reverse

from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory, OrganisationFactory, ThreatFactory


@pytest.fixture
def url(org):
    return reverse("governance:threat_list", args=[org.slug])


def refs(response):
    return [t.ref for t in response.context["page"].object_list]


def test_it_filters_by_domain_surface_framework_concern_and_text(client_for, viewer, org, url):
    atlas = FrameworkItemFactory(framework=FrameworkFactory(key="mitre-atlas-5.6"), ref="AML.T0020")
    poisoning = ThreatFactory(ref="TH-10", title="Poisoned training data", surface="training_data", domain="both")
    poisoning.mappings.set([atlas])
    ThreatFactory(ref="TH-01", title="Direct prompt injection", surface="input", concerns=["prompt_injection"])
    ThreatFactory(ref="TH-20", title="Confident made-up answers", surface="output", domain="safety")
    ThreatFactory(ref="THEIRS", organisation=OrganisationFactory())
    c = client_for(viewer)
    assert refs(c.get(url)) == ["TH-01", "TH-10", "TH-20"]
    assert refs(c.get(url, {"surface": "training_data"})) == ["TH-10"]
    assert refs(c.get(url, {"domain": "safety"})) == ["TH-20"]
    assert refs(c.get(url, {"framework": "mitre-atlas-5.6"})) == ["TH-10"]
    assert refs(c.get(url, {"concern": "prompt_injection"})) == ["TH-01"]
    assert refs(c.get(url, {"q": "made-up"})) == ["TH-20"]


def test_it_counts_the_suggested_controls_in_service(client_for, viewer, url):
    threat = ThreatFactory(ref="TH-01")
    threat.controls.set([ControlFactory(), ControlFactory(), ControlFactory(retired_at="2026-01-01T00:00:00Z")])
    assert client_for(viewer).get(url).context["page"].object_list[0].control_count == 2


def test_an_invalid_filter_is_shown_on_the_form(client_for, viewer, url):
    response = client_for(viewer).get(url, {"surface": "aura"})
    assert response.context["filter"].form.errors["surface"]


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_is_constant(client_for, viewer, url, rows, django_assert_num_queries):
    control = ControlFactory()
    for _ in range(rows):
        ThreatFactory().controls.set([control])
    c = client_for(viewer)
    c.get(url, {"sort": "ref"})  # the first visit remembers the organisation in the session
    # session, user, membership, framework choices, count, data version, page rows with control
    # counts, mappings, other organisations
    with django_assert_num_queries(9):
        response = c.get(url)
    assert response.content.count(b"<tr>") == rows + 1  # and the header row
    # The rows' HTML and their count are kept: neither the rows, nor their mappings, nor how
    # many there are is read.
    with django_assert_num_queries(6):
        assert c.get(url).content.count(b"<tr>") == rows + 1
