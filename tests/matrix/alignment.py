"""Matrix rows for alignment reviews: everyone reads; leads and the system's owner team (the
world's team) edit drafts; a lead of a safety team or an admin decides. The world's team owns
security, so among the world's people only the admin decides."""

from django.utils import timezone

from accounts.models import Role
from tests.alignment.factories import (
    AlignmentFindingFactory,
    AlignmentReviewFactory,
    EvaluationMetricFactory,
    ReviewAttachmentFactory,
    condition_of,
)
from tests.factories import AISystemFactory, UserFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)
DECIDERS = frozenset({Role.ADMIN})


def extend_world(world):
    system, author = world["system"], UserFactory(username="matrix-alignment-author")
    world["al_draft"] = AlignmentReviewFactory(ai_system=system, author=author)
    world["al_in_review"] = AlignmentReviewFactory(ai_system=system, author=author, status="in_review")
    world["al_approved"] = AlignmentReviewFactory(
        ai_system=system,
        author=author,
        status="approved",
        decision="approved_with_conditions",
        decided_at=timezone.now(),
        approved_at=timezone.now(),
    )
    world["al_metric"] = EvaluationMetricFactory(review=world["al_draft"])
    world["al_finding"] = AlignmentFindingFactory(review=world["al_draft"])
    world["al_attachment"] = ReviewAttachmentFactory(review=world["al_draft"])
    condition_of(world["al_approved"], owner_team=world["team"])


def grow(world, times):
    """More reviews on the list and the system's tab, more metrics, findings, evidence and
    conditions on the reviews the pages show."""
    now = timezone.now()
    for i in range(times):
        system = AISystemFactory(organisation=world["org"], owner_team=world["team"], name=f"Alignment scale {i}")
        approved = AlignmentReviewFactory(
            ai_system=system, status="approved", decision="approved_with_conditions", decided_at=now
        )
        condition_of(approved, owner_team=world["team"])
        AlignmentReviewFactory(ai_system=world["system"], author=world["al_draft"].author)
        for review in (world["al_draft"], world["al_in_review"], world["al_approved"]):
            EvaluationMetricFactory(review=review)
            AlignmentFindingFactory(review=review)
            ReviewAttachmentFactory(review=review)
        condition_of(world["al_approved"], owner_team=world["team"])


def pk(key):
    return lambda w: {"pk": w[key].pk}


def system(w):
    return {"pk": w["system"].pk}


def version(key, **extra):
    return lambda w: {"version": w[key].version, **extra}


ROWS = {
    "alignment:review_list": Row(),
    "alignment:system_reviews": Row(system),
    "alignment:review_create": Row(system, allowed=MEMBERS, team_scoped=True),
    "alignment:review_detail": Row(pk("al_draft")),
    "alignment:review_edit": Row(pk("al_draft"), allowed=MEMBERS, team_scoped=True),
    "alignment:review_decide": Row(pk("al_in_review"), allowed=DECIDERS),
    "alignment:metric_add": Row(pk("al_draft"), allowed=MEMBERS, team_scoped=True),
    "alignment:metric_edit": Row(pk("al_metric"), allowed=MEMBERS, team_scoped=True),
    "alignment:metric_remove": Row(pk("al_metric"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,)),
    "alignment:finding_add": Row(pk("al_draft"), allowed=MEMBERS, team_scoped=True),
    "alignment:finding_edit": Row(pk("al_finding"), allowed=MEMBERS, team_scoped=True),
    "alignment:finding_remove": Row(pk("al_finding"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,)),
    "alignment:attachment_add": Row(pk("al_draft"), allowed=MEMBERS, team_scoped=True),
    "alignment:attachment_download": Row(pk("al_attachment")),
    "alignment:review_act": Row(
        pk("al_draft"),
        allowed=MEMBERS,
        team_scoped=True,
        method="post",
        ok=(302,),
        data=version("al_draft", action="submit"),
    ),
    "alignment:review_new_version": Row(
        pk("al_approved"), allowed=MEMBERS, team_scoped=True, method="post", ok=(302,), data=version("al_approved")
    ),
    "alignment:review_history": Row(pk("al_draft")),
    "alignment:review_compare": Row(pk("al_draft")),
    "alignment:review_follow_up": Row(pk("al_draft"), allowed=MEMBERS, team_scoped=True),
}
