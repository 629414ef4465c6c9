"""Creating, revoking and checking API tokens (personal and service tokens).

Creation and revocation are security events (the `bastion.security` log) and audit events in the
token's organisation (for tokens created before scoping, in every organisation of the owner), so
each organisation's trail says who can reach its data through the API.

Checking a token looks up its SHA-256 digest: tokens are 256 random bits,
so a fast hash is enough (no password stretching is needed for secrets nobody chose).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import Scope, require_role
from accounts.models import ROLE_RANK, Membership, Organisation, Role, Team
from audit.services import record
from authn.security_log import security_event
from authn.sessions import WRITE_ROLES

from .models import ApiToken

SCHEME = "bst_"
PREFIX_LENGTH = 12  # "bst_" and 8 random characters: shown in lists, useless to an attacker
TOKEN_LENGTH = len(SCHEME) + 43  # secrets.token_urlsafe(32)
MAX_TOKENS = 50  # usable tokens per person
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # at most one write per token per minute


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _record(actor, action: str, token: ApiToken, after: dict) -> None:
    """In the token's organisation; for a token created before scoping, in each of the owner's."""
    if token.organisation is not None:
        organisations = [token.organisation]
    else:
        organisations = list(Organisation.objects.filter(memberships__user=token.user).order_by("pk"))
    for organisation in organisations:
        record(organisation=organisation, actor=actor, action=action, obj=token, after=after)


def _no_higher_than(role: str, membership: Membership) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if ROLE_RANK[Role(role)] > ROLE_RANK[Role(membership.role)]:
        raise ValidationError(
            {
                "role": _("A token cannot have a higher role than yours (%(role)s).")
                % {"role": Role(membership.role).label}
            }
        )


def missing_two_factor(user, organisation: Organisation | None, role: str) -> bool:
    """The organisation requires two-factor sign-in of people who change data (authn.sessions:
    members, leads, admins), the token would change data, and its person has no confirmed
    authenticator. A token must not be a way around the organisation's sign-in policy."""
    if organisation is None or not organisation.require_two_factor or role not in WRITE_ROLES:
        return False
    return not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


TWO_FACTOR_FIRST = gettext_lazy(
    "This organisation requires two-factor sign-in: set up an authenticator app (Profile → Two-factor "
    "sign-in) before creating a token that can change data, or give the token the viewer or auditor role."
)


def _issue(*, user, name, expires_at, organisation, role, team=None, created_by, hidden_text) -> tuple[ApiToken, str]:
    """Store a new token (hashed) and record it; returns it with the one copy of its secret."""
    raw = SCHEME + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        digest=digest(raw),
        expires_at=expires_at,
        organisation=organisation,
        role=role,
        team=team,
        created_by=created_by,
    )
    after: dict[str, Any] = {"name": name, "prefix": token.prefix, "role": role, "expires_at": expires_at}
    if team is not None:
        after["team"] = team.name
    if hidden_text:
        after["hidden_characters"] = hidden_text
    _record(created_by, "api.token.created", token, after)
    security_event("api.token.created", user=created_by, obj=str(token), token=token.prefix)
    return token, raw


def token_create(
    *,
    user,
    name: str,
    expires_at: dt.datetime | None,
    organisation: Organisation,
    role: str | None = None,
    hidden_text: list | None = None,
) -> tuple[ApiToken, str]:
    """A new personal token of `user` for `organisation`, with `role` (default: the user's role
    there; never higher). `hidden_text`: the form's strip-or-keep decisions about hidden characters
    in the name, recorded with the creation."""
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        raise ValidationError({"organisation": _("You are not a member of this organisation.")})
    role = role or membership.role
    _no_higher_than(role, membership)
    if missing_two_factor(user, organisation, role):
        raise ValidationError({"role": TWO_FACTOR_FIRST})
    if ApiToken.objects.filter(user=user).usable().count() >= MAX_TOKENS:
        raise ValidationError(_("You have %(n)d tokens in use: revoke one first.") % {"n": MAX_TOKENS})
    with transaction.atomic():
        return _issue(
            user=user,
            name=name,
            expires_at=expires_at,
            organisation=organisation,
            role=role,
            created_by=user,
            hidden_text=hidden_text,
        )


def service_token_create(
    *, membership: Membership, team: Team, name: str, role: str, expires_at: dt.datetime | None, hidden_text=None
) -> tuple[ApiToken, str]:
    """A new service token of `team`, created by an admin (`membership`), with `role` (never
    higher than the admin's). It acts as an account of its own, which has no password and no
    membership: it cannot sign in and is nobody's colleague."""
    require_role(membership, min_role=Role.ADMIN)
    if team.organisation_id != membership.organisation_id:
        raise ValidationError({"team": _("Choose a team of this organisation.")})
    _no_higher_than(role, membership)
    organisation = membership.organisation
    if missing_two_factor(membership.user, organisation, Role.ADMIN):  # the admin vouches for the token
        raise ValidationError(_("This organisation requires two-factor sign-in: set up an authenticator app first."))
    if ApiToken.objects.filter(organisation=organisation, team__isnull=False).usable().count() >= MAX_TOKENS:
        raise ValidationError(
            _("This organisation has %(n)d service tokens in use: revoke one first.") % {"n": MAX_TOKENS}
        )
    with transaction.atomic():
        account = get_user_model()(username=f"service-{secrets.token_hex(8)}", first_name=name[:150])
        account.last_name = _("(service token of %(team)s)") % {"team": team.name}
        account.last_name = account.last_name[:150]
        account.set_unusable_password()
        account.save()
        return _issue(
            user=account,
            name=name,
            expires_at=expires_at,
            organisation=organisation,
            role=role,
            team=team,
            created_by=membership.user,
            hidden_text=hidden_text,
        )


def token_revoke(*, user, token: ApiToken) -> ApiToken:
    """Revoke a token: one's own personal token, or (`user` an admin of its organisation, checked
    by the caller) a service token. Revoking twice changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update(of=("self",)).select_related("user", "organisation").get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            if token.is_service:  # its account has nothing else to do
                get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
            _record(user, "api.token.revoked", token, {"name": token.name, "prefix": token.prefix})
            security_event("api.token.revoked", user=user, obj=str(token), token=token.prefix)
    return token


def token_for(raw: str) -> ApiToken | None:
    """The usable token `raw` names, or None (unknown, revoked, expired, or its owner inactive)."""
    if not raw.startswith(SCHEME) or len(raw) != TOKEN_LENGTH:
        return None
    token = ApiToken.objects.select_related("user", "organisation").filter(digest=digest(raw)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    return token


def scope_of(token: ApiToken) -> Scope | None:
    """What the token may reach (`accounts.access.Scope`); None for a token created before
    scoping, which acts with its owner's roles everywhere."""
    if token.organisation is None:
        return None
    return Scope(user_id=token.user_id, organisation=token.organisation, role=token.role, team_id=token.team_id)


def mark_used(token: ApiToken, address: str | None) -> None:
    """Keep the last-used time and address, writing at most once a minute per token."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_RESOLUTION and token.last_used_from == address:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address or None)
    token.last_used_at, token.last_used_from = now, address
