import pytest
from django.urls import reverse

from audit.models import AuditEvent
from governance.models import Control
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory


@pytest.fixture
def url(org):
    return reverse("governance:control_create", args=[org.slug])


@pytest.fixture
def items(db):
    framework = FrameworkFactory(key="owasp-llm-2025")
    return [FrameworkItemFactory(framework=framework, ref=ref) for ref in ("LLM01", "LLM06")]


def form_data(**changes):
    data = {
        "ref": "ACME-01",
        "title": "Second review of every system prompt",
        "objective": "A second person reviews each system prompt before it ships.",
        "guidance": "Keep prompts in version control and require an approving review.",
        "domain": "security",
        "practice": "prompt_hardening",
        "applies_when": "{flag: generates_text}",
        "review_cadence_days": "180",
        "concerns": ["prompt_injection"],
        "mappings": "owasp-llm-2025:LLM01\n\nowasp-llm-2025:LLM06\n",
    }
    return {**data, **changes}


def test_it_adds_an_own_control_with_its_mappings_and_an_audit_event(client_for, lead, org, url, items):
    response = client_for(lead).post(url, form_data())
    control = Control.objects.get(organisation=org, ref="ACME-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:control_detail", args=[org.slug, control.pk])
    assert control.applies_when == {"flag": "generates_text"}
    assert control.concerns == ["prompt_injection"]
    assert set(control.mappings.all()) == set(items)
    event = AuditEvent.objects.get(organisation=org, action="governance.control.created")
    assert event.after["mappings"] == ["owasp-llm-2025:LLM01", "owasp-llm-2025:LLM06"]
    assert event.actor == lead


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mappings": "owasp-llm-2025:LLM11"}, "mappings", "unknown item 'owasp-llm-2025:LLM11'"),
        ({"applies_when": "{flag: can_fly}"}, "applies_when", "unknown capability flag 'can_fly'"),
        ({"applies_when": "{flag: [unclosed"}, "applies_when", "This is not a rule"),
        ({"ref": "PH-01"}, "ref", "'PH-01' is already used by the built-in library"),
        ({"domain": "securty"}, "domain", "Select a valid choice"),
        ({"title": ""}, "title", "This field is required"),
    ],
)
def test_an_invalid_form_is_shown_again_and_nothing_saved(client_for, lead, org, url, items, changes, field, message):
    ControlFactory(ref="PH-01")
    response = client_for(lead).post(url, form_data(**changes))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    assert b"nothing was saved" in response.content
    assert not Control.objects.filter(organisation=org).exists()
    assert not AuditEvent.objects.filter(action="governance.control.created").exists()


def test_a_reference_already_in_the_organisations_library_is_refused(client_for, lead, org, url, items):
    ControlFactory(organisation=org, ref="ACME-01")
    response = client_for(lead).post(url, form_data())
    assert "already has a control with this reference" in response.context["form"].errors["ref"][0]


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_it_403s_for_member(client_for, member, url, items):
    assert client_for(member).post(url, form_data()).status_code == 403
    assert not Control.objects.exists()
