"""Where each AI system stands on its alignment review, for the system page and the readiness gate
"alignment review approved (or approved with conditions, conditions tracked) within cadence".

    from alignment.standing import standing
    standing([system.pk, …]) → {system_id: Standing(status, reason, review)}

Two queries for any number of systems: the latest decided review of each system (approved or
rejected, older versions included: an approved version still counts while a newer draft is being
written), and the open conditions of those reviews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from records.models import FollowUp

from .models import AlignmentReview, Decision, ReviewStatus

APPROVED = "approved"
APPROVED_WITH_CONDITIONS = "approved_with_conditions"
CONDITIONS_OVERDUE = "conditions_overdue"
EXPIRED = "expired"
REJECTED = "rejected"
MISSING = "missing"
PASSING = frozenset({APPROVED, APPROVED_WITH_CONDITIONS})

DECIDED = (ReviewStatus.APPROVED, ReviewStatus.REJECTED)


class Standing(NamedTuple):
    status: str  # one of the constants above
    reason: str  # one plain sentence
    review: AlignmentReview | None  # the decided review it rests on

    @property
    def passes(self) -> bool:
        return self.status in PASSING


def _day(value: dt.date) -> str:
    return date_format(value, "j M Y")


def standing(system_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, Standing]:
    ids = list(system_ids)
    today = today or timezone.localdate()
    latest_decided = (
        AlignmentReview.objects.filter(ai_system_id=OuterRef("ai_system_id"), status__in=DECIDED)
        .order_by("-decided_at", "-pk")
        .values("pk")[:1]
    )
    reviews = list(
        AlignmentReview.objects.filter(ai_system_id__in=ids, status__in=DECIDED, pk=Subquery(latest_decided)).only(
            "pk",
            "organisation_id",
            "ai_system_id",
            "title",
            "status",
            "decision",
            "decided_at",
            "next_review_due",
            "record_version",
            "review_comment",
        )
    )
    conditional = [r.pk for r in reviews if r.decision == Decision.APPROVED_WITH_CONDITIONS]
    open_conditions: dict[int, list] = {pk: [] for pk in conditional}
    if conditional:
        for row in (
            FollowUp.objects.open()
            .filter(alignment_condition__review_id__in=conditional)
            .values("alignment_condition__review_id", "title", "due_date")
            .order_by("due_date", "pk")
        ):
            open_conditions[row["alignment_condition__review_id"]].append(row)
    found = {pk: Standing(MISSING, _("No alignment review has been decided yet."), None) for pk in ids}
    for review in reviews:
        found[review.ai_system_id] = _judge(review, open_conditions.get(review.pk, []), today)
    return found


def _judge(review: AlignmentReview, open_conditions: list[dict], today: dt.date) -> Standing:
    if review.status == ReviewStatus.REJECTED:
        when = _day(timezone.localdate(review.decided_at)) if review.decided_at else ""
        return Standing(REJECTED, _("Rejected on %(when)s.") % {"when": when}, review)
    if review.next_review_due is not None and review.next_review_due < today:
        reason = _("The approval has lapsed: the next review was due on %(when)s.")
        return Standing(EXPIRED, reason % {"when": _day(review.next_review_due)}, review)
    due = _("next review due %(when)s") % {"when": _day(review.next_review_due)} if review.next_review_due else ""
    if review.decision != Decision.APPROVED_WITH_CONDITIONS:
        return Standing(APPROVED, _("Approved; %(due)s.") % {"due": due}, review)
    overdue = [c for c in open_conditions if c["due_date"] is not None and c["due_date"] < today]
    if overdue:
        first = overdue[0]
        reason = ngettext(
            "Approved with conditions, but a condition is overdue: “%(title)s” was due on %(when)s.",
            "Approved with conditions, but %(n)s conditions are overdue; the first, “%(title)s”, was due on %(when)s.",
            len(overdue),
        ) % {"n": len(overdue), "title": first["title"], "when": _day(first["due_date"])}
        return Standing(CONDITIONS_OVERDUE, reason, review)
    if open_conditions:
        reason = ngettext(
            "Approved with conditions; %(n)s condition open, on time; %(due)s.",
            "Approved with conditions; %(n)s conditions open, on time; %(due)s.",
            len(open_conditions),
        ) % {"n": len(open_conditions), "due": due}
    else:
        reason = _("Approved with conditions, all met; %(due)s.") % {"due": due}
    return Standing(APPROVED_WITH_CONDITIONS, reason, review)
