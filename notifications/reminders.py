"""What waits for whom today: the finders of the daily run, one per kind of waiting work.

Each finder reads its work for one organisation in one query and names the people it waits for;
`Audience` answers "who" from three queries per organisation. A run therefore costs a fixed
number of queries per organisation, however much work is waiting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Role, Team

from .models import Kind

DUE_SOON_DAYS = 7
ACCEPTANCE_DAYS = 30
EVIDENCE_DAYS = 30


@dataclass(frozen=True)
class Found:
    """One piece of waiting work and the people it waits for."""

    users: set[int]
    kind: str
    about: str  # "<app.model>:<pk>" of the work
    text: str
    url: str

    @property
    def subject(self) -> str:
        """What and why: one notification per person, subject and day."""
        return f"{self.kind}:{self.about}"


class Audience:
    """The organisation's people: members, team members, team leads and governance leads."""

    def __init__(self, org: Organisation):
        self.org = org
        self.roles = dict(Membership.objects.filter(organisation=org).values_list("user_id", "role"))
        self.members = set(self.roles)
        self.leads = {user for user, role in self.roles.items() if role in (Role.LEAD, Role.ADMIN)}
        self.team_members: dict[int, set[int]] = defaultdict(set)
        through = Team.members.through.objects.filter(team__organisation=org)
        for team_id, user_id in through.values_list("team_id", "user_id"):
            self.team_members[team_id].add(user_id)
        teams = list(Team.objects.filter(organisation=org).values_list("pk", "discipline", "lead_id"))
        self.team_lead = {pk: lead for pk, _discipline, lead in teams if lead}
        self.discipline = {pk: discipline for pk, discipline, _lead in teams}

    def team(self, *team_ids: int | None) -> set[int]:
        return {u for t in team_ids if t for u in self.team_members.get(t, ())}

    def reviewers(self, team_id: int | None, *, besides: Iterable[int | None] = ()) -> set[int]:
        """Who signs off for a team: its lead when that person is a governance lead and may sign
        this one, otherwise every lead of the organisation who may; never the people in `besides`
        (segregation of duties: the implementer, the proposer)."""
        excluded = set(besides)
        lead = self.team_lead.get(team_id) if team_id else None
        if lead in self.leads and lead not in excluded:
            return {lead}
        return self.leads - excluded

    def lead_memberships(self) -> list[Membership]:
        """The leads and admins as memberships the record rules can judge without a query: their
        teams and the sides those teams own are known here already."""
        from records.rules import sides_of

        found = []
        for user in sorted(self.leads):
            membership = Membership(organisation=self.org, user_id=user, role=self.roles[user])
            teams = frozenset(t for t, users in self.team_members.items() if user in users)
            # The caches accounts.access.team_ids and records.rules.sides read before querying.
            membership._team_ids = teams  # type: ignore[attr-defined]
            membership._sides = sides_of(self.discipline[t] for t in teams)  # type: ignore[attr-defined]
            found.append(membership)
        return found


def _day(value: dt.date) -> str:
    return date_format(value, "j M Y")


def assignments(org: Organisation, people: Audience, today: dt.date) -> Iterator[Found]:
    """Control assignments due within a week or overdue, waiting for verification, for a
    co-signature, or with a not-applicable claim waiting for a lead."""
    from assessments.models import AssignmentStatus as S
    from assessments.models import ControlAssignment
    from assessments.models.assignment import OPEN

    rows = ControlAssignment.objects.for_org(org).filter(OPEN).select_related("control", "ai_system")
    due_by = today + dt.timedelta(days=DUE_SOON_DAYS)
    for a in rows.only(
        *("pk", "status", "due_date", "owner_team_id", "cosigning_team_id", "assignee_id"),
        *("implemented_by_id", "verified_by_id", "cosigned_by_id", "na_proposed_by_id", "na_approved_at"),
        *("control__ref", "control__title", "ai_system__name"),
    ):
        name = f"{a.control.ref} {a.control.title} ({a.ai_system.name})"
        about, url = f"assignment:{a.pk}", reverse("assessments:assignment_detail", args=[org.slug, a.pk])
        workers = {a.assignee_id} if a.assignee_id else people.team(a.owner_team_id)
        if a.due_date is not None and a.due_date <= due_by and a.status != S.NOT_APPLICABLE:
            late = a.due_date < today
            text = _("%(name)s: overdue since %(when)s") if late else _("%(name)s: due %(when)s")
            kind = Kind.OVERDUE if late else Kind.DUE_SOON
            yield Found(workers, kind, about, text % {"name": name, "when": _day(a.due_date)}, url)
        if a.status == S.IMPLEMENTED and a.verified_by_id is None:
            who = people.reviewers(a.owner_team_id, besides=(a.implemented_by_id, a.cosigned_by_id))
            yield Found(who, Kind.VERIFY, about, _("%(name)s waits for verification") % {"name": name}, url)
        if a.status == S.IMPLEMENTED and a.cosigning_team_id and a.cosigned_by_id is None:
            who = people.team(a.cosigning_team_id) - {a.implemented_by_id, a.verified_by_id}
            yield Found(who, Kind.COSIGN, about, _("%(name)s waits for a co-signature") % {"name": name}, url)
        if a.status == S.NOT_APPLICABLE and a.na_approved_at is None:
            who = people.reviewers(a.owner_team_id, besides=(a.na_proposed_by_id,))
            text = _("%(name)s: a not-applicable claim waits for a lead") % {"name": name}
            yield Found(who, Kind.NOT_APPLICABLE, about, text, url)


def acceptances(org: Organisation, people: Audience, today: dt.date) -> Iterator[Found]:
    """Risk acceptances ending within 30 days: the risk's team and the lead who accepted it."""
    from risks.models import RiskScenario

    until = today + dt.timedelta(days=ACCEPTANCE_DAYS)
    rows = (
        RiskScenario.objects.for_org(org)
        .latest()
        .filter(acceptance="accepted", acceptance_until__gte=today, acceptance_until__lte=until)
    )
    for risk in rows.only("pk", "title", "acceptance_until", "owner_team_id", "cosigning_team_id", "accepted_by_id"):
        text = _("Risk “%(title)s”: its acceptance ends %(when)s") % {
            "title": risk.title,
            "when": _day(risk.acceptance_until),
        }
        who = people.team(risk.owner_team_id, risk.cosigning_team_id) | {risk.accepted_by_id}
        url = reverse("risks:risk_detail", args=[org.slug, risk.pk])
        yield Found(who, Kind.ACCEPTANCE_ENDING, f"risk:{risk.pk}", text, url)


def records_past_review(org: Organisation, people: Audience, today: dt.date) -> Iterator[Found]:
    """The latest version of every governed record type (records.kinds.governed_kinds) past its review
    date: the teams that edit it. One query per record type."""
    from records.kinds import governed_kinds

    for kind in governed_kinds():
        rows = kind.model.objects.for_org(org).latest().overdue(today).select_related("ai_system")
        for record in rows:
            text = _("%(kind)s “%(title)s” of %(system)s: review due since %(when)s") % {
                "kind": str(kind.label).capitalize(),
                "title": record.title,
                "system": record.ai_system.name,
                "when": _day(record.next_review_due),
            }
            who = people.team(*record.editing_team_ids()) or people.leads
            about = f"{kind.model._meta.label_lower}:{record.pk}"
            yield Found(who, Kind.REVIEW_OVERDUE, about, text, kind.url("detail", org.slug, record.pk))


def records_in_review(org: Organisation, people: Audience, today: dt.date) -> Iterator[Found]:
    """Governed records waiting for review: the leads whom the record type's own table lets
    approve it (records.workflow: any lead, a security lead, a safety lead…), never its author.
    One query per record type; the rules run on memberships the audience already knows."""
    from records.kinds import governed_kinds
    from records.models import RecordStatus

    leads = people.lead_memberships()
    for kind in governed_kinds():
        rows = kind.model.objects.for_org(org).latest().filter(status=RecordStatus.IN_REVIEW)
        for record in rows.select_related("ai_system"):
            who = {m.user_id for m in leads if kind.workflow.allows(m, record, "approve")}
            text = _("%(kind)s “%(title)s” of %(system)s waits for review") % {
                "kind": str(kind.label).capitalize(),
                "title": record.title,
                "system": record.ai_system.name,
            }
            about = f"{kind.model._meta.label_lower}:{record.pk}"
            yield Found(who, Kind.RECORD_REVIEW, about, text, kind.url("detail", org.slug, record.pk))


def evidence(org: Organisation, people: Audience, today: dt.date) -> Iterator[Found]:
    """Evidence of active assignments that expires within 30 days."""
    from assessments.models import Evidence

    until = today + dt.timedelta(days=EVIDENCE_DAYS)
    rows = Evidence.objects.filter(
        organisation=org, valid_until__gte=today, valid_until__lte=until, assignment__retired_at__isnull=True
    ).select_related("assignment__control", "assignment__ai_system")
    for item in rows:
        a = item.assignment
        text = _("Evidence “%(name)s” of %(ref)s (%(system)s) expires %(when)s") % {
            "name": str(item)[:60],
            "ref": a.control.ref,
            "system": a.ai_system.name,
            "when": _day(item.valid_until or until),  # set: the query filters on it
        }
        who = {a.assignee_id} if a.assignee_id else people.team(a.owner_team_id)
        url = reverse("assessments:assignment_detail", args=[org.slug, a.pk])
        yield Found(who, Kind.EVIDENCE_EXPIRING, f"evidence:{item.pk}", text, url)


def assessments(org: Organisation, people: Audience, today: dt.date) -> Iterator[Found]:
    """Assessments submitted for review: the organisation's leads, besides the one who submitted."""
    from assessments.models import Assessment, AssessmentStatus

    rows = Assessment.objects.for_org(org).filter(status=AssessmentStatus.IN_REVIEW).select_related("ai_system")
    for assessment in rows.only("pk", "submitted_by_id", "ai_system__name"):
        text = _("The assessment of %(system)s waits for review") % {"system": assessment.ai_system.name}
        url = reverse("assessments:assessment_detail", args=[org.slug, assessment.pk])
        who = people.leads - {assessment.submitted_by_id}
        yield Found(who, Kind.ASSESSMENT_REVIEW, f"assessment:{assessment.pk}", text, url)


FINDERS: list[Callable[[Organisation, Audience, dt.date], Iterator[Found]]] = [
    assignments,
    acceptances,
    records_past_review,
    records_in_review,
    evidence,
    assessments,
]
