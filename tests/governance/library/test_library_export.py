import json

import pytest
import yaml
from django.urls import reverse

from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory


@pytest.fixture
def url(org):
    return reverse("governance:library_export", args=[org.slug])


@pytest.fixture
def content(org):
    item = FrameworkItemFactory(framework=FrameworkFactory(key="owasp-llm-2025"), ref="LLM01")
    ControlFactory(ref="PH-01", mappings=[item])
    ControlFactory(ref="ACME-01", organisation=org, mappings=[item])


def test_an_auditor_downloads_the_organisations_own_content_as_yaml(client_for, auditor, org, url, content):
    response = client_for(auditor).get(url, {"format": "yaml", "scope": "own"})
    assert response["Content-Disposition"] == 'attachment; filename="acme-test-library.yaml"'
    document = yaml.safe_load(response.content)
    assert [c["ref"] for c in document["controls"]] == ["ACME-01"]
    assert document["controls"][0]["mappings"] == ["owasp-llm-2025:LLM01"]


def test_a_lead_downloads_the_builtin_library_as_json(client_for, lead, url, content):
    response = client_for(lead).get(url, {"format": "json", "scope": "builtin"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.content)
    assert [c["ref"] for c in document["controls"]] == ["PH-01"]
    assert document["frameworks"][0]["key"] == "owasp-llm-2025"


def test_without_a_choice_it_shows_the_form(client_for, auditor, url):
    response = client_for(auditor).get(url)
    assert response.status_code == 200
    assert not response.context["form"].is_bound


def test_an_invalid_choice_is_shown_again(client_for, auditor, url):
    response = client_for(auditor).get(url, {"format": "xml", "scope": "own"})
    assert response.status_code == 200
    assert response.context["form"].errors["format"]


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_it_403s_for_viewers_and_members(client_for, request, url, role):
    user = request.getfixturevalue(role)
    assert client_for(user).get(url, {"format": "json", "scope": "own"}).status_code == 403
