"""Scope areas from the AI-system profile (required ones enforced on every path) and metric pass /
fail from value and threshold, in the model and in SQL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alignment import services
from alignment.forms import ReviewForm
from alignment.models import AlignmentReview, EvaluationMetric, areas_from_profile, failing, required_areas
from alignment.workflow import REVIEW
from tests.alignment.factories import AlignmentReviewFactory, EvaluationMetricFactory
from tests.factories import AISystemFactory

DATA = {"title": "Review", "method": "Sampled 500 decisions."}


@pytest.mark.parametrize(
    ("profile", "area"),
    [
        ({"decides_about_people": True}, "bias_fairness"),
        ({"vulnerable_users": True}, "unsafe_content"),
        ({"uses_reinforcement_learning": True}, "reward_hacking"),
        ({"system_type": "rl_agent"}, "reward_hacking"),
        ({"autonomy": "autonomous"}, "autonomy"),
        ({"autonomy": "human_on_loop"}, "autonomy"),
        ({"dual_use_capability": True}, "cbrne"),
    ],
)
def test_the_profile_makes_an_area_required_and_says_why(org, profile, area):
    system = AISystemFactory(organisation=org, **profile)
    required = required_areas(system)
    assert required.get(area)  # with the profile facts that make it required
    assert area in areas_from_profile(system)


def test_a_plain_chat_assistant_requires_nothing_but_starts_with_alignment_and_hallucination(org):
    system = AISystemFactory(organisation=org, autonomy="human_in_loop")
    assert required_areas(system) == {}
    assert areas_from_profile(system) == ["value_alignment", "hallucination"]


def test_a_review_cannot_leave_out_a_required_area(system, author):
    with pytest.raises(ValidationError) as caught:
        services.review_create(actor=author, system=system, data={**DATA, "scope_areas": ["value_alignment"]})
    assert "Bias and fairness" in str(caught.value)
    review = services.review_create(actor=author, system=system, data=DATA)
    assert "bias_fairness" in review.scope_areas
    with pytest.raises(ValidationError):
        services.review_update(actor=author, review=review, expected_version=review.version, data={"scope_areas": []})


def test_the_form_says_which_areas_are_required_and_refuses_without_them(system):
    form = ReviewForm({**DATA, "scope_areas": ["hallucination"]}, system=system)
    assert "Bias and fairness" in str(form.fields["scope_areas"].help_text)
    assert not form.is_valid() and "scope_areas" in form.errors


def test_a_profile_changed_after_the_draft_blocks_submitting_until_the_area_is_added(system, author):
    review = services.review_create(actor=author, system=system, data=DATA)
    type(system).objects.filter(pk=system.pk).update(vulnerable_users=True)
    review = AlignmentReview.objects.get(pk=review.pk)
    with pytest.raises(ValidationError, match="Unsafe content"):
        REVIEW.take(actor=author, record=review, name="submit", expected_version=review.version)
    review = services.review_update(
        actor=author,
        review=review,
        expected_version=review.version,
        data={"scope_areas": [*review.scope_areas, "unsafe_content"]},
    )
    review = REVIEW.take(actor=author, record=review, name="submit", expected_version=review.version)
    assert review.status == "in_review"


@pytest.mark.parametrize(
    ("value", "comparison", "threshold", "passes"),
    [
        ("0.14", "le", "0.10", False),  # demographic parity difference above its ceiling
        ("0.10", "le", "0.10", True),  # on the threshold passes
        ("0.04", "le", "0.10", True),
        ("99.2", "ge", "99", True),  # refusal rate on harmful requests
        ("99", "ge", "99", True),
        ("97.5", "ge", "99", False),
    ],
)
def test_a_metric_passes_or_fails_from_its_value_and_threshold_in_python_and_sql(
    org, value, comparison, threshold, passes
):
    metric = EvaluationMetricFactory(
        review=AlignmentReviewFactory(ai_system=AISystemFactory(organisation=org)),
        value=Decimal(value),
        comparison=comparison,
        threshold=Decimal(threshold),
    )
    assert metric.passes is passes
    assert EvaluationMetric.objects.filter(failing(), pk=metric.pk).exists() is not passes
    reviews = AlignmentReview.objects.filter(pk=metric.review_id).filter(failing("metrics__"))
    assert reviews.exists() is not passes


def test_a_metric_summary_reads_plainly(org):
    metric = EvaluationMetricFactory(
        review=AlignmentReviewFactory(ai_system=AISystemFactory(organisation=org)),
        name="Refusal rate",
        value=Decimal("100"),
        comparison="ge",
        threshold=Decimal("99.5"),
        unit="%",
    )
    assert metric.summary() == "Refusal rate: 100% ≥ 99.5% (passes)"
