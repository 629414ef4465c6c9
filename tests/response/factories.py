import datetime as dt

import factory

from response.models import IncidentResponsePlan, PlanRole, Playbook, TabletopExercise
from tests.factories import AISystemFactory, UserFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentResponsePlan
        skip_postgeneration_save = True

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    title = factory.Sequence(lambda n: f"IR plan {n}")
    escalation_path = "On-call engineer\nIncident commander\nChief executive"
    severity_levels = [
        {"name": "SEV1", "criteria": "Harm to people", "respond_within_minutes": 15, "update_every_minutes": 60}
    ]
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def systems(self, create, extracted, **kwargs):
        if create:
            self.systems.set([self.ai_system, *(extracted or [])])


class PlanRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanRole

    plan = factory.SubFactory(PlanFactory)
    organisation = factory.SelfAttribute("plan.organisation")
    role = "incident_commander"
    name = "Outside counsel"
    email = "counsel@example.com"


class PlaybookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playbook

    plan = factory.SubFactory(PlanFactory)
    organisation = factory.SelfAttribute("plan.organisation")
    title = factory.Sequence(lambda n: f"Playbook {n}")
    domain = "security"
    technical_steps = "Contain\nFix"
    communication_steps = "Tell support\nTell customers"


class TabletopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TabletopExercise
        skip_postgeneration_save = True

    playbook = factory.SubFactory(PlaybookFactory)
    plan = factory.SelfAttribute("playbook.plan")
    ai_system = factory.SelfAttribute("plan.ai_system")
    organisation = factory.SelfAttribute("plan.organisation")
    title = factory.Sequence(lambda n: f"Tabletop {n}")
    held_on = dt.date(2026, 10, 1)
    scenario = "A user finds the system prompt in an answer."
    author = factory.SubFactory(UserFactory)
