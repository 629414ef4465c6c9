import factory
from django.contrib.contenttypes.models import ContentType

from records.models import FollowUp
from risks.models import RiskScenario
from tests.factories import AISystemFactory, UserFactory


class RiskScenarioFactory(factory.django.DjangoModelFactory):
    """A draft security risk of a system, owned by the system's owner team."""

    class Meta:
        model = RiskScenario
        skip_postgeneration_save = True

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    title = factory.Sequence(lambda n: f"Risk {n}")
    description = "An attacker makes the assistant reveal its instructions."
    hostile_intent = True
    harm_in_benign_use = False
    domain = "security"
    inherent_likelihood = 4
    inherent_impact = 4
    residual_likelihood = 2
    residual_impact = 3
    owner_team = factory.SelfAttribute("ai_system.owner_team")
    author = factory.SubFactory(UserFactory)


class FollowUpFactory(factory.django.DjangoModelFactory):
    """A free-text follow-up raised by `source` (a record), owned by its system's owner team."""

    class Meta:
        model = FollowUp
        exclude = ["source"]

    source = factory.SubFactory(RiskScenarioFactory)
    organisation = factory.SelfAttribute("source.organisation")
    ai_system = factory.SelfAttribute("source.ai_system")
    source_type = factory.LazyAttribute(lambda f: ContentType.objects.get_for_model(type(f.source)))
    source_id = factory.SelfAttribute("source.pk")
    kind = "action"
    title = factory.Sequence(lambda n: f"Action {n}")
    owner_team = factory.SelfAttribute("source.ai_system.owner_team")
    created_by = factory.SelfAttribute("source.author")
