"""factory_boy factories: realistic defaults, every object inside one organisation."""

import factory
from django.contrib.auth import get_user_model

from accounts.models import Discipline, Membership, Organisation, Role, Team
from core.choices import Domain
from governance.models import AISystem, Control, Framework, FrameworkItem, Practice, Surface, Threat


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("password")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    discipline = Discipline.SECURITY

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class AISystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AISystem

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"System {n}")
    description = "Answers customer questions about orders."
    owner_team = factory.SubFactory(TeamFactory, organisation=factory.SelfAttribute("..organisation"))
    lifecycle_stage = "production"
    system_type = "chat_assistant"
    provenance = "third_party_api"
    exposure = "public"
    autonomy = "none"
    generates_text = True
    eu_ai_act_tier = "limited"
    operator_role = "deployer"


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    key = factory.Sequence(lambda n: f"test-framework-{n}")
    edition = "1.0"
    name = factory.Sequence(lambda n: f"Test Framework {n}")
    url = "https://example.test/framework"
    licence = "CC-BY-4.0"


class FrameworkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkItem

    framework = factory.SubFactory(FrameworkFactory)
    ref = factory.Sequence(lambda n: f"ITEM-{n:03d}")
    title = factory.Sequence(lambda n: f"Framework item {n}")
    position = factory.Sequence(int)


class ControlFactory(factory.django.DjangoModelFactory):
    """A built-in control (no organisation) unless `organisation` is given."""

    class Meta:
        model = Control
        skip_postgeneration_save = True

    organisation = None
    ref = factory.Sequence(lambda n: f"TC-{n:03d}")
    title = factory.Sequence(lambda n: f"Test control {n}")
    objective = "Keep the system within its intended behaviour."
    domain = Domain.SECURITY
    practice = Practice.PROMPT_HARDENING
    applies_when = "always"

    @factory.post_generation
    def mappings(self, create, extracted, **kwargs):
        if create:
            self.mappings.set(extracted if extracted is not None else [FrameworkItemFactory()])


class ThreatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Threat

    organisation = None
    ref = factory.Sequence(lambda n: f"TT-{n:03d}")
    title = factory.Sequence(lambda n: f"Test threat {n}")
    domain = Domain.SECURITY
    surface = Surface.INPUT
