"""Every permission decision of Bastion, in one module.

Views call one of the `get_*_for_user` helpers on their first line. The helpers resolve the
organisation from the URL through the user's membership, so:

- an anonymous user never gets here (views are `@login_required`);
- a user who is not a member of the organisation gets **404**, exactly as if the
  organisation or object did not exist: outsiders learn nothing;
- a member whose role is too low gets **403**.

Objects are always fetched through the organisation (`queryset.filter(organisation=org)`),
never by bare primary key. Rules about one kind of record live next to its model, in
`<app>/rules.py` (`governance.rules`, `assessments.rules`), built on `team_ids` and
`lead_or_member_of` below, so every view and every template asks the same question the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from .models import ROLE_RANK, Membership, Organisation, Role
from .profiles import remember_organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails

# Roles that may read the organisation-wide audit trail and export audit packs.
AUDIT_READERS = frozenset({Role.ADMIN, Role.LEAD, Role.AUDITOR})


@dataclass(frozen=True)
class Scope:
    """What an API token may reach: one organisation, with at most `role` there.

    A personal token (`team_id` None) acts with the lower of `role` and its owner's current role;
    a service token acts as its own account (`user_id`), which has no membership row: it is a
    member of the organisation with `role` and of the one team `team_id` only while the scope holds.
    """

    user_id: int
    organisation: Organisation
    role: str
    team_id: int | None = None


_scope: ContextVar[Scope | None] = ContextVar("access_scope", default=None)


@contextmanager
def scoped(scope: Scope | None) -> Iterator[None]:
    """Every membership read for `scope.user_id` inside the block obeys the scope (the API sets
    it for each token request): the same rules then decide for people, tokens and service tokens."""
    reset = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(reset)


def enter_scope(scope: Scope | None) -> None:
    """Inside a `scoped()` block (which restores the previous scope): from now on, obey `scope`.
    For a scope known only once a request is authenticated."""
    _scope.set(scope)


def _within_scope(user_id: Any, organisation_id: int, fetch) -> Membership | None:
    """The membership `fetch()` returns (None: no membership), bounded by the current scope."""
    scope = _scope.get()
    if scope is None or scope.user_id != user_id:
        return fetch()
    if scope.organisation.pk != organisation_id:
        return None
    if scope.team_id is not None:  # a service token: a member by its scope alone
        membership = Membership(organisation=scope.organisation, user_id=user_id, role=scope.role)
        membership._team_ids = frozenset({scope.team_id})  # type: ignore[attr-defined]  # see team_ids
        return membership
    membership = fetch()
    if membership is not None and ROLE_RANK[Role(scope.role)] < ROLE_RANK[Role(membership.role)]:
        membership.role = scope.role
    return membership


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations: the request a signed-in (`@login_required`) view gets, as the middleware leaves it."""

    user: User
    membership: Membership
    htmx: HtmxDetails


def get_membership(
    request: HttpRequest,
    org_slug: str,
    *,
    min_role: str = Role.VIEWER,
    roles: Iterable[str] | None = None,
    remember: bool = True,
) -> Membership:
    """Return the user's membership of the organisation `org_slug`, checking the role.

    `min_role` admits that role and every higher one; `roles`, when given, admits exactly
    those roles instead (for capabilities outside the ranking, such as auditors' exports).
    `remember=False` (the API) leaves the session and the user's last organisation alone.
    """
    membership = getattr(request, "membership", None)
    if membership is None or membership.organisation.slug != org_slug:
        user = request.user
        if not user.is_authenticated:  # views are @login_required; an anonymous caller is an outsider
            raise Http404("No such organisation")
        scope = _scope.get()
        membership = _within_scope(
            user.pk,
            scope.organisation.pk if scope and scope.organisation.slug == org_slug else -1,
            lambda: (
                Membership.objects.select_related("organisation", "user")
                .filter(organisation__slug=org_slug, user_id=user.pk)
                .first()
            ),
        )
        if membership is None:
            raise Http404("No such organisation")
        request.membership = membership  # type: ignore[attr-defined]  # cached for this request's later calls
        if remember and request.session.get("org_slug") != org_slug:
            request.session["org_slug"] = org_slug  # the home page returns here next time
            remember_organisation(request.user, membership.organisation)  # and at the next sign-in
    require_role(membership, min_role=min_role, roles=roles)
    return membership


def membership_of(actor: Any, record: Any) -> Membership:
    """The actor's membership of the organisation `record` belongs to, read now (for rules checked
    inside a transaction); PermissionDenied when they are not, or no longer, a member."""
    membership = _within_scope(
        actor.pk,
        record.organisation_id,
        lambda: (
            Membership.objects.select_related("organisation", "user")
            .filter(organisation_id=record.organisation_id, user_id=actor.pk)
            .first()
        ),
    )
    if membership is None:
        raise PermissionDenied("You are not a member of this organisation.")
    return membership


def require_role(membership: Membership, *, min_role: str = Role.VIEWER, roles: Iterable[str] | None = None) -> None:
    if roles is not None:
        allowed = membership.role in set(roles)
    else:
        allowed = ROLE_RANK[Role(membership.role)] >= ROLE_RANK[Role(min_role)]
    if not allowed:
        raise PermissionDenied("Your role does not allow this.")


def ensure(allowed: bool, message: Any = "You are not allowed to do this.") -> None:
    """Raise 403 unless `allowed`: for rules that depend on the object, not only the role.
    `message` may be a lazy translation (a rule's refusal kept beside the rule): it is put into
    words here, in the request's language."""
    if not allowed:
        raise PermissionDenied(str(message))


def get_object_for_user(
    request: HttpRequest,
    org_slug: str,
    queryset: models.QuerySet[Any] | type[models.Model],
    pk: Any,
    *,
    min_role: str = Role.VIEWER,
    roles: Iterable[str] | None = None,
) -> tuple[Membership, Any]:
    """Fetch one tenant object through the organisation: 404 for outsiders and foreign ids."""
    membership = get_membership(request, org_slug, min_role=min_role, roles=roles)
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        obj = queryset.get(organisation=membership.organisation, pk=pk)
    except (ObjectDoesNotExist, ValueError, OverflowError):  # an id too large for the column is no id
        raise Http404("No such object") from None
    # It was fetched through this organisation: hand it the row we hold, so nothing (a template,
    # the audit trail) selects the organisation again.
    obj.organisation = membership.organisation  # type: ignore[union-attr]  # every tenant row has one
    return membership, obj


# --- Building blocks for the object rules of other apps (<app>/rules.py), and accounts' own ---


def team_ids(membership: Membership) -> frozenset[int]:
    """Ids of the user's teams in this organisation (one query, cached on the membership)."""
    cached = getattr(membership, "_team_ids", None)
    if cached is None:
        cached = frozenset(
            membership.user.teams.filter(organisation_id=membership.organisation_id).values_list("id", flat=True)
        )
        membership._team_ids = cached  # type: ignore[attr-defined]  # a cache for this membership's lifetime
    return cached


def lead_or_member_of(membership: Membership, team_id: int | None) -> bool:
    """Leads and admins act on everything; members on what their team owns."""
    if membership.is_lead:
        return True
    return membership.can_edit and team_id in team_ids(membership)


def can_manage_members(membership: Membership) -> bool:
    return membership.is_admin


def can_read_audit_trail(membership: Membership) -> bool:
    return membership.role in AUDIT_READERS
