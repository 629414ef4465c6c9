"""Writes to organisations, memberships and teams. Each runs in one transaction with its audit event."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from audit.services import audited_create, audited_update, diff, lock, record

from .models import Membership, Organisation, Role, Team

User = get_user_model()


def organisation_create(*, actor, name: str, slug: str) -> Organisation:
    """Create an organisation with `actor` as its first admin."""
    with transaction.atomic():
        org = audited_create(
            Organisation, actor=actor, action="accounts.organisation.created", data={"name": name, "slug": slug}
        )
        membership_add(actor=actor, organisation=org, user=actor, role=Role.ADMIN)
    return org


def organisation_update(*, actor, organisation: Organisation, expected_version: int, data: dict) -> Organisation:
    with transaction.atomic():
        return audited_update(
            organisation,
            actor=actor,
            action="accounts.organisation.updated",
            expected_version=expected_version,
            changes=data,
        )


def membership_add(*, actor, organisation: Organisation, user, role: str, teams=()) -> Membership:
    with transaction.atomic():
        if Membership.objects.filter(organisation=organisation, user=user).exists():
            raise ValidationError(f"{user.username} is already a member of {organisation}.")
        membership = Membership.objects.create(organisation=organisation, user=user, role=role)
        for team in teams:
            team_members_change(actor=actor, team=team, add=[user])
        record(
            organisation=organisation,
            actor=actor,
            action="accounts.membership.created",
            obj=membership,
            object_repr=user.username,
            after={"user": user.username, "role": role, "teams": sorted(t.name for t in teams)},
        )
    return membership


def membership_update(*, actor, membership: Membership, role: str, teams) -> Membership:
    """Change a member's role and which of the organisation's teams they are in."""
    org = membership.organisation
    with transaction.atomic():
        membership = _lock_memberships(membership)
        if membership.role == Role.ADMIN and role != Role.ADMIN:
            _ensure_another_admin(membership)
        user = membership.user
        old_teams = set(user.teams.filter(organisation=org))
        new_teams = set(teams)
        before = {"role": membership.role, "teams": sorted(t.name for t in old_teams)}
        membership.role = role
        membership.save(update_fields=["role"])
        for team in old_teams - new_teams:
            team_members_change(actor=actor, team=team, remove=[user])
        for team in new_teams - old_teams:
            team_members_change(actor=actor, team=team, add=[user])
        old, new = diff(before, {"role": role, "teams": sorted(t.name for t in new_teams)})
        if old or new:
            record(
                organisation=org,
                actor=actor,
                action="accounts.membership.updated",
                obj=membership,
                object_repr=user.username,
                before=old,
                after=new,
            )
    return membership


def membership_remove(*, actor, membership: Membership) -> None:
    """Take a user out of the organisation and its teams. The account itself stays."""
    org = membership.organisation
    with transaction.atomic():
        membership = _lock_memberships(membership)
        if membership.role == Role.ADMIN:
            _ensure_another_admin(membership)
        user = membership.user
        teams = list(Team.objects.filter(Q(members=user) | Q(lead=user), organisation=org).distinct())
        for team in teams:
            team_members_change(actor=actor, team=team, remove=[user])
        record(
            organisation=org,
            actor=actor,
            action="accounts.membership.removed",
            obj=membership,
            object_repr=user.username,
            before={"user": user.username, "role": membership.role, "teams": sorted(t.name for t in teams)},
        )
        membership.delete()


def _lock_memberships(membership: Membership) -> Membership:
    """Serialise membership changes of one organisation on its row, then re-read the membership.

    The last-admin rule must be checked against what other requests committed: two admins demoting
    each other at the same moment would otherwise each see the other still admin.
    """
    Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    return Membership.objects.select_related("organisation", "user").get(pk=membership.pk)


def _ensure_another_admin(membership: Membership) -> None:
    others = Membership.objects.filter(organisation=membership.organisation, role=Role.ADMIN).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError("An organisation needs at least one admin; make someone else admin first.")


# --- Teams: every change to a team's people goes through these, so its version moves on ---------


def team_create(*, actor, organisation: Organisation, data: dict, members) -> Team:
    with transaction.atomic():
        return audited_create(
            Team,
            actor=actor,
            action="accounts.team.created",
            data={"organisation": organisation, **data},
            m2m={"members": members},
        )


def team_update(*, actor, team: Team, expected_version: int, data: dict, members) -> Team:
    with transaction.atomic():
        return audited_update(
            team,
            actor=actor,
            action="accounts.team.updated",
            expected_version=expected_version,
            changes=data,
            m2m={"members": members},
        )


def team_members_change(*, actor, team: Team, add=(), remove=()) -> Team:
    """Add or remove people from a team outside its own form (from the members page). The team's
    version moves on and the change is recorded on the team, so an edit form opened before it
    conflicts instead of silently putting the old members back. Someone removed stops leading it."""
    with transaction.atomic():
        current = lock(team)
        removed = {user.pk for user in remove}
        members = (set(current.members.values_list("pk", flat=True)) | {user.pk for user in add}) - removed
        changes = {"lead": None} if current.lead_id in removed else {}
        return audited_update(
            current,
            actor=actor,
            action="accounts.team.members_changed",
            expected_version=current.version,
            changes=changes,
            m2m={"members": sorted(members)},
        )


# --- People ---------------------------------------------------------------------------------------

NAME_FIELDS = ("first_name", "last_name")


def person_update(*, actor, user, data: dict):
    """Change a person's name and e-mail (their profile page; the site admin's user page).

    A person's name is on the pages of every organisation they are in (who started an assessment,
    who is assigned a control), so a new name is recorded in each of those organisations' trails,
    in the same transaction: an auditor can tell who "J. Smith" became, and what a page keeps
    under the organisation's data version (audit/versions.py) turns over with it. The e-mail is
    on no governance page, and is not copied into the trails."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {name: getattr(user, name) for name in NAME_FIELDS}
        for name, value in data.items():
            setattr(user, name, value)
        user.save(update_fields=list(data))
        old, new = diff(before, {name: getattr(user, name) for name in NAME_FIELDS})
        if old:
            for organisation in Organisation.objects.filter(memberships__user=user).order_by("pk"):
                record(
                    organisation=organisation,
                    actor=actor,
                    action="accounts.person.renamed",
                    obj=user,
                    object_repr=user.username,
                    before=old,
                    after=new,
                )
    return user
