import pytest
from django.urls import reverse

from audit.models import AuditEvent
from governance.models import Framework
from tests.factories import FrameworkFactory


@pytest.fixture
def url(org):
    return reverse("governance:framework_create", args=[org.slug])


def form_data(**changes):
    data = {
        "key": "acme-policy-2026",
        "name": "Acme AI policy",
        "edition": "2026",
        "url": "https://intranet.example.test/ai-policy",
        "licence": "internal",
        "items": "P-1 | Every AI system has an owner | category\nP-1.1 | Owners are named in the inventory | | P-1",
    }
    return {**data, **changes}


def test_it_adds_a_framework_with_its_items(client_for, lead, org, url):
    response = client_for(lead).post(url, form_data())
    framework = Framework.objects.get(organisation=org, key="acme-policy-2026")
    assert response.status_code == 302
    assert response["Location"].endswith(f"crosswalk/?framework={framework.key}")
    items = list(framework.items.order_by("position"))
    assert [(i.ref, i.kind, i.parent and i.parent.ref) for i in items] == [
        ("P-1", "category", None),
        ("P-1.1", "", "P-1"),
    ]
    assert (
        AuditEvent.objects.get(action="governance.framework.created").after["items"][0]
        == "P-1 Every AI system has an owner"
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"items": "P-1 without a title"}, "items", "line 1: write ID | title"),
        ({"items": "P-1 | One\nP-2 | Two | | P-9"}, "items", "items[P-2].parent: 'P-9' is not another item"),
        ({"items": "P-1 | One\nP-1 | Again"}, "items", "duplicate ref 'P-1'"),
        ({"key": "owasp-llm-2025"}, "key", "already used by the built-in library"),
        ({"key": "Acme Policy"}, "key", "Lower-case letters"),
        ({"url": "not a url"}, "url", "Enter a valid URL"),
    ],
)
def test_an_invalid_form_is_shown_again(client_for, lead, org, url, changes, field, message):
    FrameworkFactory(key="owasp-llm-2025")
    response = client_for(lead).post(url, form_data(**changes))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field]), response.context["form"].errors
    assert not Framework.objects.filter(organisation=org).exists()


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))
