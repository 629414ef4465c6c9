import pytest
from django.urls import reverse

from audit.models import AuditEvent
from governance.models import Control
from governance.services.library import control_update
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory


@pytest.fixture
def items(db):
    framework = FrameworkFactory(key="owasp-llm-2025")
    return {ref: FrameworkItemFactory(framework=framework, ref=ref) for ref in ("LLM01", "LLM06")}


@pytest.fixture
def control(org, items):
    return ControlFactory(
        organisation=org,
        ref="ACME-01",
        title="Review prompts",
        objective="Prompts are reviewed.",
        applies_when={"field": "exposure", "in": ["public"]},
        mappings=[items["LLM01"]],
    )


def url(org, control):
    return reverse("governance:control_edit", args=[org.slug, control.pk])


def form_data(control, **changes):
    data = {
        "title": control.title,
        "objective": control.objective,
        "domain": control.domain,
        "practice": control.practice,
        "applies_when": "{field: exposure, in: [public]}",
        "review_cadence_days": control.review_cadence_days,
        "mappings": "owasp-llm-2025:LLM01",
        "version": control.version,
    }
    return {**data, **changes}


def test_the_form_shows_the_current_rule_and_mappings(client_for, lead, org, control):
    form = client_for(lead).get(url(org, control)).context["form"]
    assert form["applies_when"].value() == "{field: exposure, in: [public]}"
    assert form["mappings"].value() == "owasp-llm-2025:LLM01"
    assert form.fields["ref"].disabled


def test_it_saves_changes_and_records_what_changed(client_for, lead, org, control, items):
    data = form_data(control, title="Review every prompt", mappings="owasp-llm-2025:LLM06", ref="HIJACK-01")
    response = client_for(lead).post(url(org, control), data)
    assert response.status_code == 302
    control.refresh_from_db()
    assert (control.ref, control.title, control.version) == ("ACME-01", "Review every prompt", 2)
    assert list(control.mappings.all()) == [items["LLM06"]]
    event = AuditEvent.objects.get(action="governance.control.updated")
    assert event.before == {"title": "Review prompts", "mappings": ["owasp-llm-2025:LLM01"], "version": 1}
    assert event.after == {"title": "Review every prompt", "mappings": ["owasp-llm-2025:LLM06"], "version": 2}


def test_an_invalid_form_is_shown_again(client_for, lead, org, control):
    response = client_for(lead).post(url(org, control), form_data(control, mappings="nist:NOPE"))
    assert response.status_code == 200
    assert "unknown item 'nist:NOPE'" in response.context["form"].errors["mappings"][0]
    control.refresh_from_db()
    assert control.version == 1


def test_a_stale_edit_shows_the_conflict_and_keeps_the_input(client_for, lead, admin, org, control):
    stale = form_data(control, title="Mine")
    theirs = {
        "title": "Theirs",
        "objective": control.objective,
        "domain": control.domain,
        "practice": control.practice,
        "applies_when": "always",
        "mappings": ["owasp-llm-2025:LLM01"],
    }
    control_update(actor=admin, control=control, expected_version=1, spec=theirs)
    response = client_for(lead).post(url(org, control), stale)
    assert response.status_code == 200
    assert response.context["conflict"]["events"]
    assert response.context["form"]["title"].value() == "Mine"
    control.refresh_from_db()
    assert control.title == "Theirs"


def test_builtin_controls_cannot_be_edited(client_for, lead, org, items):
    builtin = ControlFactory(ref="PH-01")
    assert client_for(lead).get(url(org, builtin)).status_code == 403


def test_retired_controls_cannot_be_edited(client_for, lead, org, control):
    Control.objects.filter(pk=control.pk).update(retired_at="2026-01-01T00:00:00Z")
    assert client_for(lead).get(url(org, control)).status_code == 403


def test_anonymous_is_sent_to_login(client, org, control):
    assert client.get(url(org, control))["Location"].startswith(reverse("login"))
