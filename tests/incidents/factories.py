import datetime as dt

import factory
from django.utils import timezone

from incidents.models import Incident, TimelineEntry
from tests.factories import AISystemFactory, UserFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    """An open security incident on one system, owned by the system's owner team, detected two
    hours ago."""

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("system.organisation")
    title = factory.Sequence(lambda n: f"Incident {n}")
    description = "The assistant revealed its internal instructions to a customer."
    detected_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    severity = "high"
    hostile_intent = True
    harm_in_benign_use = False
    domain = "security"
    owner_team = factory.SelfAttribute("system.owner_team")
    reported_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, system, **kwargs):
        incident = super()._create(model_class, *args, **kwargs)
        incident.systems.add(system)
        return incident

    @factory.post_generation
    def systems(self, create, extracted, **kwargs):
        """`systems=[…]`: the affected systems instead of the one `system`."""
        if create and extracted:
            self.systems.set(extracted)


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    incident = factory.SubFactory(IncidentFactory)
    organisation = factory.SelfAttribute("incident.organisation")
    occurred_at = factory.LazyFunction(timezone.now)
    author = factory.SelfAttribute("incident.reported_by")
    text = factory.Sequence(lambda n: f"Entry {n}")
