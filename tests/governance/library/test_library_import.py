import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from governance.models import Control
from tests.factories import FrameworkFactory, FrameworkItemFactory


@pytest.fixture
def url(org):
    return reverse("governance:library_import", args=[org.slug])


@pytest.fixture
def llm01(db):
    return FrameworkItemFactory(framework=FrameworkFactory(key="owasp-llm-2025"), ref="LLM01")


def upload(document, name="acme.json"):
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def control(**changes):
    entry = {
        "ref": "ACME-01",
        "title": "Screen support uploads",
        "objective": "Files customers upload are screened before the assistant reads them.",
        "domain": "security",
        "practice": "prompt_hardening",
        "applies_when": {"flag": "reads_untrusted_content"},
        "mappings": ["owasp-llm-2025:LLM01"],
    }
    return {**entry, **changes}


def test_it_imports_a_file_into_the_organisations_own_library(client_for, lead, org, url, llm01):
    response = client_for(lead).post(url, {"file": upload({"version": 1, "controls": [control()]})})
    assert response.status_code == 302
    assert response["Location"].endswith("library/?source=own")
    assert list(Control.objects.get(organisation=org, ref="ACME-01").mappings.all()) == [llm01]
    event = AuditEvent.objects.get(organisation=org, action="governance.library.imported")
    assert event.object_repr == "acme.json"
    assert event.after["counts"]["controls"] == {"created": 1, "updated": 0, "unchanged": 0, "retired": 0}


def test_a_bad_file_lists_every_problem_and_writes_nothing(client_for, lead, org, url, llm01):
    document = {
        "version": 1,
        "controls": [
            control(domain="securty"),
            control(ref="ACME-02", practice="paperwork", mappings=["owasp-llm-2025:LLM11"]),
            control(ref="ACME-02"),
        ],
    }
    response = client_for(lead).post(url, {"file": upload(document)})
    assert response.status_code == 200
    assert [str(e) for e in response.context["errors"]] == [
        "controls[ACME-01].domain: 'securty' is not one of security, safety, both",
        "controls[ACME-02].practice: 'paperwork' is not one of threat_modeling, red_teaming, prompt_hardening, "
        "alignment_review, guardrails, incident_response, inventory, data_governance, access_control, "
        "supply_chain, human_oversight, frontier_safety",
        "controls[ACME-02].mappings[0]: unknown item 'owasp-llm-2025:LLM11'",
        "controls[2]: duplicate ref 'ACME-02' (first used by entry 1)",
    ]
    assert b"The file has 4 problems; nothing was imported." in response.content
    assert not Control.objects.filter(organisation=org).exists()
    assert not AuditEvent.objects.filter(action="governance.library.imported").exists()


def test_a_file_that_does_not_parse_is_reported(client_for, lead, url):
    response = client_for(lead).post(url, {"file": upload(b"version: 1\ncontrols: [\n", name="acme.yaml")})
    assert "invalid YAML" in str(response.context["errors"][0])


def test_a_file_of_the_wrong_kind_is_refused_by_the_form(client_for, lead, url):
    response = client_for(lead).post(url, {"file": upload(b"<xml/>", name="acme.xml")})
    assert response.context["form"].errors["file"] == ["Upload a .yaml, .yml or .json file."]


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_it_403s_for_member(client_for, member, url, llm01):
    response = client_for(member).post(url, {"file": upload({"version": 1, "controls": [control()]})})
    assert response.status_code == 403
    assert not Control.objects.exists()
