"""The bench organisation: a large, deterministic data set written in bulk.

`seed(scale, seed)` creates the organisation "Bench" (slug `bench`) with, at scale 1:
1,000 AI systems with varied profiles, 50 teams, 300 users, the built-in library plus 300
organisation controls, 1,000 assessments with their answers, 100,000 control assignments in
every state (some overdue), one system with 400 assignments ("Bench flagship"), a draft whose
plan has about 400 items ("Bench planning"), 10,000 evidence notes and links, and 1,000,000 audit
events whose hash chain is valid (each hash comes from `AuditEvent.compute_hash`, so the chain
stays right if the hashing changes).

Rows are built as unsaved model instances with their primary keys set and written with COPY on
PostgreSQL or `bulk_create` elsewhere; no service runs per row. The same scale and seed give the
same data (dates are relative to the day of seeding). Personas, all with the password
BENCH_PASSWORD: bench-admin, bench-lead, bench-member (its two teams own about 30 % of all
assignments), bench-auditor and bench-viewer.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction

from accounts.models import Discipline, Membership, Organisation, Role, Team
from assessments import questionnaire as q
from assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentStatus,
    AssignmentStatus,
    ControlAssignment,
    Evidence,
    EvidenceKind,
)
from audit.models import GENESIS_HASH, AuditEvent, ChainHead
from core.choices import Domain
from governance.models import (
    CAPABILITY_FLAGS,
    AISystem,
    Autonomy,
    Control,
    EUAIActTier,
    Exposure,
    LifecycleStage,
    OperatorRole,
    Practice,
    Provenance,
    SystemType,
)

BENCH_SLUG = "bench"
BENCH_PASSWORD = "bench-password-2026"
FLAGSHIP = "Bench flagship"  # the system with 400 assignments
PLANNING = "Bench planning"  # the draft whose plan has ~400 items
PERSONAS = {
    "bench-admin": Role.ADMIN,
    "bench-lead": Role.LEAD,
    "bench-member": Role.MEMBER,
    "bench-auditor": Role.AUDITOR,
    "bench-viewer": Role.VIEWER,
}
EVENT_CHUNK = 20_000


@dataclass
class Sizes:
    systems: int
    teams: int
    users: int
    org_controls: int
    assignments: int
    evidence: int
    events: int
    flagship_assignments: int = 400

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def n(base: int, least: int) -> int:
            return max(least, round(base * scale))

        return cls(
            systems=n(1000, 10),
            teams=n(50, 6),
            users=n(300, 20),
            org_controls=n(300, 20),
            assignments=n(100_000, 500),
            evidence=n(10_000, 50),
            events=n(1_000_000, 1_000),
        )


@dataclass
class Ids:
    """Next free primary key per model, so bulk rows can carry their keys."""

    next: dict = field(default_factory=dict)

    def take(self, model: type[models.Model], count: int = 1) -> int:
        if model not in self.next:
            self.next[model] = (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        first = self.next[model]
        self.next[model] += count
        return first


def write(model: type[models.Model], rows: Iterable[models.Model]) -> int:
    """Insert unsaved instances (primary keys set) in bulk: COPY on PostgreSQL, else bulk_create."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=2000)
        return len(rows)
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields if f.column)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    prepared = {f.attname: f.get_prep_value for f in fields if isinstance(f, models.FileField)}
    names = [f.attname for f in fields]
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [getattr(row, name) for name in names]
            for i, name in enumerate(names):
                if name in json_fields and values[i] is not None:
                    values[i] = json.dumps(values[i])
                elif name in prepared:
                    values[i] = prepared[name](values[i])
            copy.write_row(values)
    return len(rows)


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)


class Seeder:
    def __init__(self, scale: float, seed: int, log: Callable[[str], None]):
        self.sizes = Sizes.at(scale)
        self.rng = random.Random(seed)
        self.log = log
        self.ids = Ids()
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.today = self.now.date()
        self.started = time.monotonic()

    def step(self, message: str) -> None:
        self.log(f"[{time.monotonic() - self.started:6.1f}s] {message}")

    # --- people -----------------------------------------------------------------------------

    def people(self) -> None:
        s, rng = self.sizes, self.rng
        self.org = Organisation.objects.create(name="Bench", slug=BENCH_SLUG)
        User = get_user_model()
        password = make_password(BENCH_PASSWORD)
        first = self.ids.take(User, s.users)
        names = list(PERSONAS) + [f"bench-user-{i:04d}" for i in range(s.users - len(PERSONAS))]
        users = [
            User(
                pk=first + i,
                username=name,
                email=f"{name}@bench.example",
                first_name=name.split("-")[1].title(),
                last_name=f"Bench{i}",
                password=password,
                is_active=True,
                date_joined=self.now,
            )
            for i, name in enumerate(names)
        ]
        write(User, users)
        self.users = users
        self.user_ids = [u.pk for u in users]
        roles = list(PERSONAS.values())
        other_roles = [Role.MEMBER] * 14 + [Role.LEAD] * 2 + [Role.VIEWER] * 2 + [Role.AUDITOR, Role.ADMIN]
        roles += [rng.choice(other_roles) for _ in range(len(users) - len(roles))]
        first = self.ids.take(Membership, len(users))
        write(
            Membership,
            (
                Membership(pk=first + i, organisation=self.org, user_id=u.pk, role=role, created_at=self.now)
                for i, (u, role) in enumerate(zip(users, roles, strict=True))
            ),
        )
        self.roles = dict(zip(self.user_ids, roles, strict=True))
        self.leads = [uid for uid, r in self.roles.items() if r in (Role.LEAD, Role.ADMIN)]
        # Teams: the first is security and the second safety; bench-member is in both and they
        # own about 30 % of all assignments (My work at scale).
        first = self.ids.take(Team, s.teams)
        disciplines = [Discipline.SECURITY, Discipline.SAFETY]
        disciplines += [[Discipline.SECURITY, Discipline.SAFETY, Discipline.BOTH][i % 3] for i in range(s.teams - 2)]
        self.teams = [
            Team(
                pk=first + i,
                organisation=self.org,
                name=f"Bench team {i:02d} ({d})",
                discipline=d,
                description=f"Bench team {i} of discipline {d}.",
                lead_id=rng.choice(self.leads),
                created_at=self.now,
            )
            for i, d in enumerate(disciplines)
        ]
        write(Team, self.teams)
        through = Team.members.through
        pairs = {(self.teams[0].pk, users[2].pk), (self.teams[1].pk, users[2].pk), (self.teams[0].pk, users[1].pk)}
        for uid in self.user_ids[len(PERSONAS) :]:
            for team in rng.sample(self.teams, rng.choice([1, 1, 2])):
                pairs.add((team.pk, uid))
        first = self.ids.take(through, len(pairs))
        write(
            through,
            (through(pk=first + i, team_id=t, user_id=u) for i, (t, u) in enumerate(sorted(pairs))),
        )
        self.security_teams = [t for t in self.teams[2:] if t.discipline in (Discipline.SECURITY, Discipline.BOTH)]
        self.safety_teams = [t for t in self.teams[2:] if t.discipline in (Discipline.SAFETY, Discipline.BOTH)]
        self.step(f"{len(users)} users, {len(self.teams)} teams")

    # --- library ----------------------------------------------------------------------------

    def library(self) -> None:
        practices = list(Practice)
        domains = [Domain.SECURITY, Domain.SECURITY, Domain.SAFETY, Domain.SAFETY, Domain.BOTH]
        first = self.ids.take(Control, self.sizes.org_controls)
        write(
            Control,
            (
                Control(
                    pk=first + i,
                    organisation=self.org,
                    ref=f"BENCH-{i + 1:04d}",
                    title=f"Organisation control {i + 1}: {practices[i % len(practices)].label}",
                    objective=f"The organisation's own requirement number {i + 1}, written for the bench data set.",
                    guidance="Check it at each release.",
                    evidence_hint="A link to the release checklist.",
                    domain=domains[i % len(domains)],
                    practice=practices[i % len(practices)],
                    applies_when="always",
                    concerns=[],
                    created_at=self.now,
                    updated_at=self.now,
                )
                for i in range(self.sizes.org_controls)
            ),
        )
        self.controls = list(Control.objects.for_org(self.org).active().order_by("ref").values_list("pk", "domain"))
        self.step(f"library: {len(self.controls)} controls ({self.sizes.org_controls} of the organisation)")

    # --- inventory and assessments ----------------------------------------------------------

    def profile(self, full: bool = False) -> dict:
        rng = self.rng
        if full:
            flags = dict.fromkeys(CAPABILITY_FLAGS, True)
            return {
                "system_type": SystemType.AGENT,
                "provenance": Provenance.FINE_TUNED_OPEN_WEIGHTS,
                "exposure": Exposure.PUBLIC,
                "autonomy": Autonomy.HUMAN_ON_LOOP,
                "lifecycle_stage": LifecycleStage.PRODUCTION,
                "eu_ai_act_tier": EUAIActTier.HIGH,
                "operator_role": OperatorRole.PROVIDER_DEPLOYER,
                **flags,
            }
        system_type = rng.choice(list(SystemType))
        flags = {name: rng.random() < 0.4 for name in CAPABILITY_FLAGS}
        if system_type == SystemType.AGENT or flags["executes_code"]:
            flags["uses_tools"] = True
        tiers = [EUAIActTier.UNASSESSED, EUAIActTier.HIGH, EUAIActTier.LIMITED, EUAIActTier.MINIMAL]
        if system_type == SystemType.FOUNDATION_MODEL:
            tiers += [EUAIActTier.GPAI, EUAIActTier.GPAI_SYSTEMIC]
        return {
            "system_type": system_type,
            "provenance": rng.choice(list(Provenance)),
            "exposure": rng.choice(list(Exposure)),
            "autonomy": rng.choice(list(Autonomy)),
            "lifecycle_stage": rng.choice(list(LifecycleStage)),
            "eu_ai_act_tier": rng.choice(tiers),
            "operator_role": rng.choice(list(OperatorRole)),
            **flags,
        }

    def systems(self) -> None:
        n, rng = self.sizes.systems, self.rng
        first = self.ids.take(AISystem, n)
        words = ["Claims", "Support", "Fraud", "Pricing", "Search", "Hiring", "Triage", "Coding", "Docs", "Voice"]
        systems = []
        for i in range(n):
            name = FLAGSHIP if i == 0 else PLANNING if i == 1 else f"{rng.choice(words)} model {i:04d}"
            created = self.now - dt.timedelta(days=rng.randint(30, 900))
            retired = i > 1 and rng.random() < 0.03
            systems.append(
                AISystem(
                    pk=first + i,
                    organisation=self.org,
                    name=name,
                    description=f"{name}: a bench system that answers questions for staff and customers.",
                    owner_team=rng.choice(self.teams),
                    model_details=rng.choice(["GPT-4o through Azure", "Llama 3 70B fine-tuned", "In-house GBM"]),
                    created_at=created,
                    updated_at=created,
                    created_by_id=rng.choice(self.leads),
                    retired_at=self.now - dt.timedelta(days=rng.randint(1, 20)) if retired else None,
                    retired_by_id=rng.choice(self.leads) if retired else None,
                    retirement_reason="Replaced." if retired else "",
                    **self.profile(full=i < 2),
                )
            )
        write(AISystem, systems)
        self.systems_ = systems
        self.step(f"{n} AI systems")

    def answers_for(self, system: AISystem) -> dict:
        profile = system.profile()
        values = {}
        for key, question in q.QUESTIONS.items():
            if question.profile:
                values[key] = profile[key]
            elif question.kind == "text":
                values[key] = f"Bench answer to {key} for {system.name}."
            elif key == "tool_actions":
                values[key] = ["call_apis", "send_messages"] if profile["uses_tools"] else ["none"]
            elif key == "data_sources":
                values[key] = ["internal_documents", "user_data"]
            elif key == "decision_areas":
                values[key] = ["employment"] if profile["decides_about_people"] else []
            elif question.kind == "multi":
                values[key] = [question.choices[0][0]]
            elif question.kind == "choice":
                values[key] = self.rng.choice(question.choices)[0]
            else:
                values[key] = True
        return values

    def assessments(self) -> None:
        rng = self.rng
        statuses = (
            [AssessmentStatus.IN_PROGRESS] * 14
            + [AssessmentStatus.APPROVED] * 3
            + [AssessmentStatus.IN_REVIEW] * 1
            + [AssessmentStatus.CHANGES_REQUESTED] * 1
            + [AssessmentStatus.DRAFT] * 1
        )
        first = self.ids.take(Assessment, len(self.systems_))
        self.assessment_of = {}
        rows, answers = [], []
        first_answer = self.ids.take(AssessmentAnswer, len(self.systems_) * len(q.QUESTIONS))
        for i, system in enumerate(self.systems_):
            status = AssessmentStatus.IN_PROGRESS if i == 0 else AssessmentStatus.DRAFT if i == 1 else None
            status = status or rng.choice(statuses)
            created = system.created_at + dt.timedelta(days=1)
            lead = rng.choice(self.leads)
            done = status != AssessmentStatus.DRAFT
            assessment = Assessment(
                pk=first + i,
                organisation=self.org,
                ai_system=system,
                status=status,
                due_date=self.today + dt.timedelta(days=rng.randint(-60, 120)),
                started_by_id=lead,
                created_at=created,
                updated_at=created,
                plan_confirmed_by_id=lead if done else None,
                plan_confirmed_at=created + dt.timedelta(days=3) if done else None,
                submitted_by_id=lead if status in (AssessmentStatus.IN_REVIEW, AssessmentStatus.APPROVED) else None,
                submitted_at=created + dt.timedelta(days=9) if status == AssessmentStatus.IN_REVIEW else None,
                approved_by_id=rng.choice(self.leads) if status == AssessmentStatus.APPROVED else None,
                approved_at=created + dt.timedelta(days=12) if status == AssessmentStatus.APPROVED else None,
            )
            rows.append(assessment)
            self.assessment_of[system.pk] = assessment
            for j, (key, value) in enumerate(self.answers_for(system).items()):
                answers.append(
                    AssessmentAnswer(
                        pk=first_answer + i * len(q.QUESTIONS) + j,
                        assessment_id=assessment.pk,
                        question=key,
                        value=value,
                        answered_by_id=lead,
                        answered_at=created,
                    )
                )
        write(Assessment, rows)
        write(AssessmentAnswer, answers)
        self.step(f"{len(rows)} assessments, {len(answers)} answers")

    # --- assignments ------------------------------------------------------------------------

    def owners(self, domain: str) -> tuple[int, int | None]:
        """Owner and co-signing team: ~30 % go to bench-member's two teams."""
        mine = self.rng.random() < 0.3
        security = self.teams[0] if mine else self.rng.choice(self.security_teams)
        safety = self.teams[1] if mine else self.rng.choice(self.safety_teams)
        if domain == Domain.SAFETY:
            return safety.pk, None
        if domain == Domain.BOTH:
            return security.pk, safety.pk
        return security.pk, None

    def assignment(self, pk: int, system: AISystem, control: tuple[int, str]) -> ControlAssignment:
        rng, now = self.rng, self.now
        control_id, domain = control
        owner, cosigner = self.owners(domain)
        status = rng.choices(list(AssignmentStatus), weights=[30, 25, 15, 20, 10])[0]
        created = now - dt.timedelta(days=rng.randint(10, 400))
        worker, lead = rng.choice(self.user_ids), rng.choice(self.leads)
        row = ControlAssignment(
            pk=pk,
            organisation=self.org,
            ai_system_id=system.pk,
            control_id=control_id,
            assessment_id=self.assessment_of[system.pk].pk,
            owner_team_id=owner,
            cosigning_team_id=cosigner,
            assignee_id=worker if rng.random() < 0.6 else None,
            status=status,
            due_date=self.today + dt.timedelta(days=rng.randint(-90, 240)) if rng.random() < 0.9 else None,
            created_at=created,
            updated_at=created,
        )
        if status in (AssignmentStatus.IMPLEMENTED, AssignmentStatus.VERIFIED):
            row.implemented_by_id, row.implemented_at = worker, created + dt.timedelta(days=5)
        if status == AssignmentStatus.VERIFIED:
            row.verified_by_id, row.verified_at = lead, created + dt.timedelta(days=8)
            if cosigner:
                row.cosigned_by_id, row.cosigned_at = rng.choice(self.leads), created + dt.timedelta(days=9)
        if status == AssignmentStatus.NOT_APPLICABLE:
            row.justification = "The system has no such component."
            row.na_proposed_by_id, row.na_proposed_at = worker, created + dt.timedelta(days=2)
            if rng.random() < 0.6:
                row.na_approved_by_id, row.na_approved_at = lead, created + dt.timedelta(days=4)
        return row

    def assignments(self) -> None:
        rng, s = self.rng, self.sizes
        flagship = self.systems_[0]
        worked = [x for x in self.systems_[2:] if self.assessment_of[x.pk].status != AssessmentStatus.DRAFT]
        flagship_controls = self.controls[: s.flagship_assignments]
        remaining = s.assignments - len(flagship_controls)
        per, extra = divmod(remaining, len(worked))
        first = self.ids.take(ControlAssignment, s.assignments)
        rows = [self.assignment(first + i, flagship, c) for i, c in enumerate(flagship_controls)]
        for n, system in enumerate(worked):
            count = min(per + (1 if n < extra else 0), len(self.controls))
            for control in rng.sample(self.controls, count):
                rows.append(self.assignment(first + len(rows), system, control))
        write(ControlAssignment, rows)
        self.assignment_rows = [(a.pk, a.ai_system_id, a.status) for a in rows]
        self.flagship_pk = flagship.pk
        self.step(f"{len(rows)} control assignments ({len(flagship_controls)} on {FLAGSHIP})")

        first = self.ids.take(Evidence, s.evidence)
        evidence = []
        for i in range(s.evidence):
            pk, _system, _status = rng.choice(self.assignment_rows)
            link = rng.random() < 0.5
            evidence.append(
                Evidence(
                    pk=first + i,
                    organisation=self.org,
                    assignment_id=pk,
                    kind=EvidenceKind.LINK if link else EvidenceKind.NOTE,
                    link=f"https://wiki.bench.example/evidence/{i}" if link else "",
                    note="" if link else f"Checked in review {i}; see the release record.",
                    valid_until=self.today + dt.timedelta(days=rng.randint(-30, 365)) if rng.random() < 0.3 else None,
                    uploaded_by_id=rng.choice(self.user_ids),
                    uploaded_at=self.now - dt.timedelta(days=rng.randint(0, 300)),
                )
            )
        write(Evidence, evidence)
        self.step(f"{len(evidence)} evidence rows")

    # --- audit trail ------------------------------------------------------------------------

    def event_kinds(self) -> list[tuple[str, Callable[[], tuple[str, str, str, dict, dict]], float]]:
        rng = self.rng
        statuses = [s.value for s in AssignmentStatus]

        def assignment_status():
            pk, _system, _status = rng.choice(self.assignment_rows)
            a, b = rng.sample(statuses, 2)
            return "assessments.controlassignment", str(pk), f"assignment {pk}", {"status": a}, {"status": b}

        def evidence_added():
            pk, _system, _status = rng.choice(self.assignment_rows)
            return "assessments.controlassignment", str(pk), f"assignment {pk}", {}, {"kind": "note"}

        def system_updated():
            system = rng.choice(self.systems_)
            return "governance.aisystem", str(system.pk), system.name, {"exposure": "internal"}, {"exposure": "public"}

        def answer_saved():
            system = rng.choice(self.systems_)
            a = self.assessment_of[system.pk]
            return "assessments.assessment", str(a.pk), f"Assessment {a.pk}", {}, {"answers": ["intended_use"]}

        def org_updated():
            return "accounts.organisation", str(self.org.pk), self.org.name, {"readiness_threshold": 90}, {}

        return [
            ("assessments.assignment.updated", assignment_status, 50),
            ("assessments.evidence.added", evidence_added, 20),
            ("assessments.assessment.answered", answer_saved, 15),
            ("governance.aisystem.updated", system_updated, 14.99),
            ("accounts.organisation.updated", org_updated, 0.01),  # the rare action
        ]

    def audit_events(self) -> None:
        rng, total = self.rng, self.sizes.events
        kinds = self.event_kinds()
        actions = [k[0] for k in kinds]
        makers = {k[0]: k[1] for k in kinds}
        weights = [k[2] for k in kinds]
        # Two years of history, oldest first, ending a minute ago.
        start = self.now - dt.timedelta(days=730)
        step = (dt.timedelta(days=730) - dt.timedelta(minutes=1)) / total
        usernames = {u.pk: u.username for u in self.users}
        first = self.ids.take(AuditEvent, total)
        prev, seq = GENESIS_HASH, 0
        while seq < total:
            chunk = []
            for action in rng.choices(actions, weights=weights, k=min(EVENT_CHUNK, total - seq)):
                seq += 1
                actor = rng.choice(self.user_ids)
                object_type, object_id, object_repr, before, after = makers[action]()
                event = AuditEvent(
                    pk=first + seq - 1,
                    organisation_id=self.org.pk,
                    seq=seq,
                    actor_id=actor,
                    actor_label=usernames[actor],
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    object_repr=object_repr,
                    before=before,
                    after=after,
                    created_at=start + step * seq,
                    prev_hash=prev,
                )
                event.hash = prev = event.compute_hash()
                chunk.append(event)
            write(AuditEvent, chunk)
            if seq % 200_000 < EVENT_CHUNK:
                self.step(f"{seq} audit events")
        ChainHead.objects.update_or_create(organisation=self.org, defaults={"seq": seq, "hash": prev})
        self.step(f"{total} audit events, chain head at #{seq}")

    def run(self) -> Organisation:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # The built-in library first, before the organisation exists: a release that changes
            # it is an event in every organisation's trail, and the trail is written below in
            # bulk from sequence number 1.
            call_command("load_library", stdout=_Null())
            self.people()
            self.library()
            self.systems()
            self.assessments()
            self.assignments()
            self.audit_events()
            reset_sequences(self.ids.next)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.step("vacuumed and analysed")
        return self.org


class _Null:
    def write(self, *_args) -> None:
        pass


def seed(scale: float = 1.0, seed: int = 42, log: Callable[[str], None] = print) -> Organisation:
    return Seeder(scale, seed, log).run()


def is_seeded() -> bool:
    return Organisation.objects.filter(slug=BENCH_SLUG).exists()
