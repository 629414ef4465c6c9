import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory


@pytest.fixture
def framework(org):
    framework = FrameworkFactory(organisation=org, key="acme-policy-2026", name="Acme AI policy")
    FrameworkItemFactory(framework=framework, ref="P-1", title="Owners", position=0)
    FrameworkItemFactory(framework=framework, ref="P-2", title="Reviews", position=1)
    return framework


def url(org, framework):
    return reverse("governance:framework_edit", args=[org.slug, framework.pk])


def form_data(framework, **changes):
    data = {
        "name": framework.name,
        "edition": framework.edition,
        "url": framework.url,
        "licence": framework.licence,
        "items": "P-1 | Owners\nP-2 | Reviews",
        "version": framework.version,
    }
    return {**data, **changes}


def test_the_form_lists_the_items_one_per_line(client_for, lead, org, framework):
    form = client_for(lead).get(url(org, framework)).context["form"]
    assert form["items"].value() == "P-1 | Owners\nP-2 | Reviews"


def test_removed_items_are_retired_and_mappings_to_them_kept(client_for, lead, org, framework):
    p2 = framework.items.get(ref="P-2")
    control = ControlFactory(organisation=org, mappings=[p2])
    data = form_data(framework, name="Acme AI policy v2", items="P-1 | Owners\nP-3 | Incidents")
    assert client_for(lead).post(url(org, framework), data).status_code == 302
    framework.refresh_from_db()
    assert framework.name == "Acme AI policy v2" and framework.version == 2
    p2.refresh_from_db()
    assert p2.retired_at is not None
    assert list(control.mappings.all()) == [p2]
    assert list(framework.items.filter(retired_at__isnull=True).values_list("ref", flat=True)) == ["P-1", "P-3"]
    event = AuditEvent.objects.get(action="governance.framework.updated")
    assert event.after["items"] == ["P-1 Owners", "P-3 Incidents"]


def test_an_invalid_form_is_shown_again(client_for, lead, org, framework):
    response = client_for(lead).post(url(org, framework), form_data(framework, items=""))
    assert response.status_code == 200
    assert response.context["form"].errors["items"]


def test_a_stale_edit_shows_the_conflict(client_for, lead, org, framework):
    client_for(lead).post(url(org, framework), form_data(framework, name="First"))
    response = client_for(lead).post(url(org, framework), form_data(framework, name="Second"))
    assert response.status_code == 200
    assert response.context["conflict"]["version"] == 2
    framework.refresh_from_db()
    assert framework.name == "First"


def test_builtin_frameworks_cannot_be_edited(client_for, lead, org):
    assert client_for(lead).get(url(org, FrameworkFactory())).status_code == 403


def test_anonymous_is_sent_to_login(client, org, framework):
    assert client.get(url(org, framework))["Location"].startswith(reverse("login"))


def test_out_of_scope_reasons_and_notes_survive_an_edit(client_for, lead, org, framework):
    FrameworkItemFactory(framework=framework, ref="P-9", title="Fines", position=2, out_of_scope="For the regulator.")
    form = client_for(lead).get(url(org, framework)).context["form"]
    assert form["items"].value().endswith("P-9 | Fines |  |  | For the regulator.")
    items = "P-1 | Owners\nP-2 | Reviews | | | | Checked in 2026\nP-9 | Fines |  |  | For the regulator."
    assert client_for(lead).post(url(org, framework), form_data(framework, items=items)).status_code == 302
    assert framework.items.get(ref="P-9").out_of_scope == "For the regulator."
    assert framework.items.get(ref="P-2").note == "Checked in 2026"
