"""One declarative way to move a governed record from state to state.

A record type declares its lifecycle as a table of `Transition`s: the name, the states it starts
from, the state it leads to, **who may** take it (a rule over the membership and the record),
**what must hold** (guards over the record) and **what it changes** (an effect that sets fields).
`Workflow.take()` runs one transition through the one write path: it locks the row, checks the
version the user saw, and only then evaluates who-may and what-must-hold **on the locked row**,
writes and records the diff, all in one transaction. So two requests racing each other are judged
one after the other on the row as the first one left it (a lead cannot implement and verify their
own work by sending both at once).

Views call `available()` and `allows()` only to decide which buttons to show; the decision that
counts is the one `take()` makes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

R = TypeVar("R", bound=models.Model)

# Who may take a transition: (membership, record) → allowed?
Who = Callable[[Any, Any], bool]
# What must hold: record → None when it holds, else the reason in one sentence.
Guard = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Step:
    """What one taking of a transition knows: who, when, and the text they gave."""

    actor: Any
    now: Any
    text: str


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str | None  # None: the effect decides (a second sign-off completes a verification)
    who: Who
    refusal: Any  # shown when `who` says no: says who may
    guards: tuple[Guard, ...] = ()
    effect: Callable[[Any, Step], None] | None = None
    changes: tuple[str, ...] = ()  # the fields `effect` may change, besides the state
    needs_text: bool = False  # a justification or a comment saying why
    text_label: Any = ""
    done: Any = ""  # the success message: "%(ref)s verified."


def signed_off_by_other_than(*fields: str) -> Who:
    """Segregation of duties: the acting user is none of the people named by `fields` on the
    record (its author, implementer, proposer, first signer…)."""

    def rule(membership: Any, record: Any) -> bool:
        return membership.user_id not in {getattr(record, name) for name in fields}

    return rule


def all_of(*rules: Who) -> Who:
    def rule(membership: Any, record: Any) -> bool:
        return all(r(membership, record) for r in rules)

    return rule


def any_of(*rules: Who) -> Who:
    def rule(membership: Any, record: Any) -> bool:
        return any(r(membership, record) for r in rules)

    return rule


@dataclass
class Workflow(Generic[R]):
    """The lifecycle of one model: its state field, the transitions, and the audit action prefix."""

    model: type[R]
    action_prefix: str  # audit actions are "<prefix>.<transition name>"
    transitions: Sequence[Transition]
    # (actor, record) → the actor's membership of the record's organisation, read inside the
    # transaction (so a role changed a moment ago counts); raises PermissionDenied for none.
    membership_of: Callable[[Any, Any], Any]
    state_field: str = "status"
    # Holds for every transition (for example "the record is not retired").
    always: tuple[Guard, ...] = ()
    by_name: dict[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.transitions}

    def __getitem__(self, name: str) -> Transition:
        return self.by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def blocked(self, transition: Transition, record: R) -> str | None:
        """Why `transition` cannot be taken on `record` in its state now, or None."""
        for guard in self.always:
            if reason := guard(record):
                return reason
        state = getattr(record, self.state_field)
        if state not in transition.sources:
            display = getattr(record, f"get_{self.state_field}_display", lambda: state)()
            return _("Not possible while it is “%(state)s”.") % {"state": display}
        for guard in transition.guards:
            if reason := guard(record):
                return reason
        return None

    def allows(self, membership: Any, record: R, name: str) -> bool:
        return self.by_name[name].who(membership, record)

    def available(self, membership: Any, record: R, names: Iterable[str] | None = None) -> list[Transition]:
        """The transitions this member can take on the record now (for showing buttons)."""
        chosen = self.transitions if names is None else [self.by_name[n] for n in names]
        return [t for t in chosen if t.who(membership, record) and self.blocked(t, record) is None]

    def take(
        self,
        *,
        actor: Any,
        record: R,
        name: str,
        expected_version: int,
        text: str = "",
        extra: dict[str, Any] | None = None,
        now: Any = None,
    ) -> R:
        """Take one transition through the one write path, in its own atomic block (a savepoint
        inside a caller's transaction, so a refusal undoes only this). Raises EditConflict when
        the record moved on since the user saw it, PermissionDenied when this member may not take it on the locked row,
        ValidationError when its state or a guard does not allow it. `now` is when the step happened,
        for a person recording it afterwards (an incident contained an hour ago); default: now."""
        from audit.services import audited_update

        transition = self.by_name[name]
        text = text.strip()
        if transition.needs_text and not text:
            raise ValidationError({"text": transition.text_label})
        now = now or timezone.now()

        def check(locked: R) -> None:
            membership = self.membership_of(actor, locked)
            if not transition.who(membership, locked):
                raise PermissionDenied(str(transition.refusal))
            if reason := self.blocked(transition, locked):
                raise ValidationError(reason)

        def changes(locked: R) -> dict[str, Any]:
            if transition.target is not None:
                setattr(locked, self.state_field, transition.target)
            if transition.effect is not None:
                transition.effect(locked, Step(actor=actor, now=now, text=text))
            return {name: getattr(locked, name) for name in (self.state_field, *transition.changes)}

        with transaction.atomic():
            return audited_update(
                record,
                actor=actor,
                action=f"{self.action_prefix}.{name}",
                expected_version=expected_version,
                check=check,
                changes=changes,
                extra={**({"text": text} if text else {}), **(extra or {})} or None,
            )
