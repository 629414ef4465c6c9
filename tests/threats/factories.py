import datetime as dt

import factory

from tests.factories import AISystemFactory, ThreatFactory, UserFactory
from threats.models import RedTeamExercise, RedTeamFinding, ThreatEntry, ThreatModel


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


class RedTeamExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedTeamExercise

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    title = factory.Sequence(lambda n: f"Exercise {n}")
    objectives = "Make the agent misuse its tools."
    starts_on = dt.date(2026, 10, 1)
    ends_on = dt.date(2026, 10, 5)
    author = factory.SubFactory(UserFactory)


class RedTeamFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedTeamFinding

    exercise = factory.SubFactory(RedTeamExerciseFactory)
    organisation = factory.SelfAttribute("exercise.organisation")
    title = factory.Sequence(lambda n: f"Finding {n}")
    severity = "high"
    domain = "security"
