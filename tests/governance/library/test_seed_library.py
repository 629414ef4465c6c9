"""seed_demo alone yields a complete demo: the built-in library and Acme's own control."""

import io

from django.core.management import call_command

from governance.models import AISystem, Control, Scenario


def test_seed_demo_loads_the_library_and_an_own_control_once(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Control.objects.filter(organisation=None).count() >= 90
    assert Scenario.objects.count() == 5
    own = Control.objects.get(organisation__slug="acme", ref="ACME-01")
    assert sorted(i.framework.key for i in own.mappings.all())[0] == "iso-42001-2023"
    # Acme's Support Chatbot generates text and processes personal data: the control applies to it.
    assert own.is_applicable_to(AISystem.objects.get(organisation=own.organisation, name="Support Chatbot"))
    assert not own.is_applicable_to(AISystem.objects.get(organisation=own.organisation, name="Pricing RL Agent"))
