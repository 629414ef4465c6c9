"""Who owns a control: the organisation's ownership rules, or else the teams' disciplines.

Resolution for a control of domain D and practice P:
1. the rule for (D, P);
2. the rule for (D, any practice);
3. the default from team disciplines: security → the security team, safety → the safety team
   (each falls back to a team whose discipline is `both`); `both` → the `both` team as owner
   (else the security team) with the safety team co-signing (else the security team).
When several teams share a discipline, the first by name is taken; a rule makes it explicit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Discipline, Organisation, Team
from audit.services import audited_create, audited_state, audited_update, record
from core import jobs
from core.choices import Domain
from governance.models import Practice

from ..models import DECIDED, ControlAssignment, OwnershipRule, RerouteJob

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Route:
    team: Team | None
    cosigning_team: Team | None
    rule: OwnershipRule | None  # None: the default from team disciplines

    @property
    def source(self) -> str:
        if self.rule is None:
            return _("default from team disciplines")
        if self.rule.practice:
            return _("rule for this practice")
        return _("rule for the domain")


class Router:
    """Routes (domain, practice) to teams for one organisation: two queries, then in memory."""

    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        self.teams = list(Team.objects.for_org(organisation).order_by("name"))
        self.rules = {
            (rule.domain, rule.practice): rule
            for rule in OwnershipRule.objects.filter(organisation=organisation).select_related("team", "cosigning_team")
        }

    def _first(self, *disciplines: str) -> Team | None:
        for discipline in disciplines:
            for team in self.teams:
                if team.discipline == discipline:
                    return team
        return None

    def default(self, domain: str) -> Route:
        if domain == Domain.SECURITY:
            return Route(self._first(Discipline.SECURITY, Discipline.BOTH), None, None)
        if domain == Domain.SAFETY:
            return Route(self._first(Discipline.SAFETY, Discipline.BOTH), None, None)
        owner = self._first(Discipline.BOTH, Discipline.SECURITY, Discipline.SAFETY)
        cosigner = next(
            (t for t in (self._first(Discipline.SAFETY), self._first(Discipline.SECURITY)) if t and t != owner),
            None,
        )
        return Route(owner, cosigner, None)

    def route(self, domain: str, practice: str) -> Route:
        rule = self.rules.get((domain, practice)) or self.rules.get((domain, ""))
        if rule is None:
            return self.default(domain)
        cosigning = rule.cosigning_team if domain == Domain.BOTH else None
        return Route(rule.team, cosigning, rule)

    def table(self) -> list[tuple[str, StrOrPromise, list[Route]]]:
        """The effective routing for every practice: (practice, label, [security, safety, both])."""
        domains = [Domain.SECURITY, Domain.SAFETY, Domain.BOTH]
        return [(p.value, p.label, [self.route(d, p.value) for d in domains]) for p in Practice]


# --- Rules ------------------------------------------------------------------------------------


def _validate_rule(organisation: Organisation, domain: str, team: Team, cosigning_team: Team | None) -> None:
    for t in (team, cosigning_team):
        if t is not None and t.organisation_id != organisation.pk:
            raise ValidationError(_("Choose a team of this organisation."))
    if domain == Domain.BOTH:
        if cosigning_team is None:
            raise ValidationError({"cosigning_team": _("Controls of both domains need a co-signing team.")})
        if cosigning_team == team:
            raise ValidationError({"cosigning_team": _("The co-signing team must differ from the owner team.")})


def ownership_rule_create(*, actor, organisation: Organisation, data: dict) -> OwnershipRule:
    _validate_rule(organisation, data["domain"], data["team"], data.get("cosigning_team"))
    if data["domain"] != Domain.BOTH:
        data = {**data, "cosigning_team": None}
    try:
        with transaction.atomic():
            rule = audited_create(
                OwnershipRule,
                actor=actor,
                action="assessments.ownership_rule.created",
                data={"organisation": organisation, "updated_by": actor, **data},
            )
    except IntegrityError:
        raise ValidationError(_("A rule for this domain and practice exists already; edit it instead.")) from None
    return rule


def ownership_rule_update(*, actor, rule: OwnershipRule, expected_version: int, data: dict) -> OwnershipRule:
    """Change the teams of a rule (its domain and practice are its identity and stay)."""

    def changes(current: OwnershipRule) -> dict:
        _validate_rule(current.organisation, current.domain, data["team"], data.get("cosigning_team"))
        cosigning = data.get("cosigning_team") if current.domain == Domain.BOTH else None
        return {"team": data["team"], "cosigning_team": cosigning, "updated_by": actor}

    with transaction.atomic():
        return audited_update(
            rule,
            actor=actor,
            action="assessments.ownership_rule.updated",
            expected_version=expected_version,
            changes=changes,
        )


def ownership_rule_delete(*, actor, rule: OwnershipRule) -> None:
    """Remove a rule: its controls fall back to the domain rule or the discipline default."""
    with transaction.atomic():
        record(
            organisation=rule.organisation,
            actor=actor,
            action="assessments.ownership_rule.deleted",
            obj=rule,
            before=audited_state(rule),
        )
        rule.delete()


# --- Re-routing open assignments --------------------------------------------------------------


def misrouted(organisation: Organisation, router: Router | None = None):
    """Open assignments whose owners differ from what the rules give now (a queryset, built in SQL:
    one condition per domain × practice, so it stays cheap with many assignments)."""
    router = router or Router(organisation)
    wrong = Q(pk__in=[])
    for practice, _label, routes in router.table():
        for domain, route in zip([Domain.SECURITY, Domain.SAFETY, Domain.BOTH], routes, strict=True):
            if route.team is None:
                continue
            if route.cosigning_team is None:
                cosigner_differs = Q(cosigning_team__isnull=False)
            else:  # a negated match on a nullable column also matches NULL
                cosigner_differs = ~Q(cosigning_team=route.cosigning_team)
            elsewhere = ~Q(owner_team=route.team) | cosigner_differs
            wrong |= Q(control__domain=domain, control__practice=practice) & elsewhere
    return ControlAssignment.objects.for_org(organisation).active().exclude(DECIDED).filter(wrong)


def reroute_request(*, actor, organisation: Organisation, assignment_ids: list[int]) -> RerouteJob:
    """Queue the move of the given open assignments to their current route. One job at a time
    per organisation, enforced by the database: ValidationError while another is active."""
    ids = sorted(set(assignment_ids))
    job, created = jobs.create_or_active(
        RerouteJob,
        active=organisation.reroute_jobs.all(),
        organisation=organisation,
        requested_by=actor,
        assignment_ids=ids,
        total=len(ids),
    )
    if not created:
        raise ValidationError(_("A re-routing job is already running; wait for it to finish."))
    return job


REROUTE_CHUNK = 100


def reroute_run(job_id: int) -> None:
    """Claim the job under a lease (core/jobs.py) and move each listed assignment that is still
    misrouted, a chunk per transaction. Each chunk's moves, audit events and progress commit
    together, so a job whose worker died resumes after the last committed chunk and never moves
    or records an assignment twice. Does nothing for a finished job or one another worker holds."""
    job = jobs.claim(RerouteJob, job_id)
    if job is None:
        return
    job = RerouteJob.objects.select_related("organisation", "requested_by").get(pk=job.pk)
    router = Router(job.organisation)
    with jobs.working(job):
        for start in range(job.done, len(job.assignment_ids), REROUTE_CHUNK):
            chunk = job.assignment_ids[start : start + REROUTE_CHUNK]
            with transaction.atomic():
                jobs.heartbeat(job)  # locks the job row: no other claim can interleave with this chunk
                moved = job.moved
                for assignment in (
                    ControlAssignment.objects.for_org(job.organisation)
                    .filter(pk__in=chunk)
                    .select_related("control", "ai_system")
                    .select_for_update(of=("self",))
                ):
                    moved += _move(job.requested_by, job.organisation, assignment, router)
                jobs.heartbeat(job, done=start + len(chunk), moved=moved)
        jobs.finish(job, status=RerouteJob.Status.DONE)


def _move(actor, organisation: Organisation, assignment: ControlAssignment, router: Router) -> int:
    """Move one assignment to its route if it is still open and routed elsewhere; 1 if moved."""
    if assignment.is_retired or assignment.is_decided:
        return 0
    route = router.route(assignment.control.domain, assignment.control.practice)
    target = (getattr(route.team, "pk", None), getattr(route.cosigning_team, "pk", None))
    if route.team is None or target == (assignment.owner_team_id, assignment.cosigning_team_id):
        return 0
    changes = {"owner_team": route.team, "cosigning_team": route.cosigning_team}
    if assignment.owner_team_id != route.team.pk:
        changes["assignee"] = None  # the old assignee is not necessarily in the new team
    audited_update(
        assignment,
        actor=actor,
        action="assessments.assignment.rerouted",
        expected_version=assignment.version,
        changes=changes,
    )
    return 1
