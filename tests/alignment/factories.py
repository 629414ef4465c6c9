import datetime as dt
from decimal import Decimal

import factory

from alignment.models import AlignmentFinding, AlignmentReview, EvaluationMetric
from tests.factories import AISystemFactory, UserFactory


class AlignmentReviewFactory(factory.django.DjangoModelFactory):
    """A draft review of a system with no required scope area (the default profile)."""

    class Meta:
        model = AlignmentReview

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    title = factory.Sequence(lambda n: f"Alignment review {n}")
    scope_areas = ["value_alignment"]
    method = "Two reviewers scored 300 sampled conversations against the intended-behaviour policy."
    author = factory.SubFactory(UserFactory)


class EvaluationMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationMetric

    review = factory.SubFactory(AlignmentReviewFactory)
    organisation = factory.SelfAttribute("review.organisation")
    scope_area = "value_alignment"
    name = factory.Sequence(lambda n: f"Policy adherence {n}")
    value = Decimal("97.5")
    comparison = "ge"
    threshold = Decimal("95")
    unit = "%"


class AlignmentFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlignmentFinding

    review = factory.SubFactory(AlignmentReviewFactory)
    organisation = factory.SelfAttribute("review.organisation")
    scope_area = "value_alignment"
    title = factory.Sequence(lambda n: f"Finding {n}")
    severity = "medium"


TOMORROW = dt.date.today() + dt.timedelta(days=1)
