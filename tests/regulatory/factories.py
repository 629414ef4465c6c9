import factory
from django.utils import timezone

from regulatory.models import FundamentalRightsAssessment, SoADecision, TechnicalFile
from tests.factories import AISystemFactory, FrameworkItemFactory, UserFactory


class HighRiskSystemFactory(AISystemFactory):
    """A high-risk system we build and use: both the technical file and the FRIA apply."""

    name = factory.Sequence(lambda n: f"Screener {n}")
    system_type = "predictive"
    decides_about_people = True
    serves_eu = True
    eu_ai_act_tier = "high"
    operator_role = "provider_deployer"


class FRIAFactory(factory.django.DjangoModelFactory):
    """A draft fundamental-rights impact assessment of a high-risk system."""

    class Meta:
        model = FundamentalRightsAssessment

    ai_system = factory.SubFactory(HighRiskSystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    title = factory.Sequence(lambda n: f"Fundamental-rights impact assessment {n}")
    deployer_processes = "Recruiters rank applicants with it."
    period_and_frequency = "Every week for a year."
    affected_groups = "Job applicants."
    risks_of_harm = "Unfair ranking of one group."
    oversight_measures = "A recruiter decides every rejection."
    mitigation_measures = "Switch to manual screening."
    complaint_handling = "Applicants write to the recruiting team."
    author = factory.SubFactory(UserFactory)


class TechnicalFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnicalFile

    ai_system = factory.SubFactory(HighRiskSystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")


class SoADecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SoADecision

    item = factory.SubFactory(FrameworkItemFactory)
    applicability = "included"
    justification = "Part of our AI policy."
    decided_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(timezone.now)
