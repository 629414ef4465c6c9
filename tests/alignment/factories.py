import datetime as dt
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from alignment.models import AlignmentFinding, AlignmentReview, EvaluationMetric, ReviewAttachment, ReviewCondition
from assessments.models import EvidenceKind
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


class ReviewAttachmentFactory(factory.django.DjangoModelFactory):
    """A CSV of evaluation results attached to a review."""

    class Meta:
        model = ReviewAttachment

    review = factory.SubFactory(AlignmentReviewFactory)
    organisation = factory.SelfAttribute("review.organisation")
    kind = EvidenceKind.FILE
    file = factory.LazyFunction(lambda: ContentFile(b"metric,value\nparity,0.04\n", name="results.csv"))
    original_filename = "results.csv"
    content_type = "text/csv"
    size = 24
    uploaded_by = factory.SelfAttribute("review.author")


def condition_of(review, **follow_up):
    """A condition of `review`: an open follow-up owned by its system's team, linked to it."""
    from tests.risks.factories import FollowUpFactory

    follow_up = FollowUpFactory(source=review, **{"due_date": TOMORROW, **follow_up})
    return ReviewCondition.objects.create(organisation=review.organisation, review=review, follow_up=follow_up)
