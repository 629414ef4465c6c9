import factory

from tests.factories import AISystemFactory, ThreatFactory, UserFactory
from threats.models import ThreatEntry, ThreatModel


class ThreatModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThreatModel

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    title = factory.Sequence(lambda n: f"Threat model {n}")
    scope = "The chat widget and its retrieval."
    surfaces = ["input", "output"]
    author = factory.SubFactory(UserFactory)


class ThreatEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThreatEntry
        skip_postgeneration_save = True

    threat_model = factory.SubFactory(ThreatModelFactory)
    organisation = factory.SelfAttribute("threat_model.organisation")
    threat = factory.SubFactory(ThreatFactory)
    surface = "input"
    likelihood = 4
    impact = 4
