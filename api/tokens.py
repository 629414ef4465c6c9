"""Creating, revoking and checking personal API tokens.

Creation and revocation are security events (the `bastion.security` log) and audit events in
every organisation the owner belongs to, so each organisation's trail says who can reach its
data through the API. Checking a token looks up its SHA-256 digest: tokens are 256 random bits,
so a fast hash is enough (no password stretching is needed for secrets nobody chose).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from audit.services import record
from authn.security_log import security_event

from .models import ApiToken

SCHEME = "bst_"
PREFIX_LENGTH = 12  # "bst_" and 8 random characters: shown in lists, useless to an attacker
TOKEN_LENGTH = len(SCHEME) + 43  # secrets.token_urlsafe(32)
MAX_TOKENS = 50  # usable tokens per person
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # at most one write per token per minute


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _record_everywhere(user, action: str, token: ApiToken, after: dict) -> None:
    for organisation in Organisation.objects.filter(memberships__user=user).order_by("pk"):
        record(organisation=organisation, actor=user, action=action, obj=token, after=after)


def token_create(
    *, user, name: str, expires_at: dt.datetime | None, hidden_text: list | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the one copy of its secret (never stored).

    `hidden_text`: the form's strip-or-keep decisions about hidden characters in the name,
    recorded with the creation."""
    if ApiToken.objects.filter(user=user).usable().count() >= MAX_TOKENS:
        raise ValidationError(_("You have %(n)d tokens in use: revoke one first.") % {"n": MAX_TOKENS})
    raw = SCHEME + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:PREFIX_LENGTH], digest=digest(raw), expires_at=expires_at
        )
        after: dict[str, Any] = {"name": name, "prefix": token.prefix, "expires_at": expires_at}
        if hidden_text:
            after["hidden_characters"] = hidden_text
        _record_everywhere(user, "api.token.created", token, after)
    security_event("api.token.created", user=user, obj=str(token), token=token.prefix)
    return token, raw


def token_revoke(*, user, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens (revoking twice changes nothing)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            _record_everywhere(user, "api.token.revoked", token, {"name": token.name, "prefix": token.prefix})
            security_event("api.token.revoked", user=user, obj=str(token), token=token.prefix)
    return token


def token_for(raw: str) -> ApiToken | None:
    """The usable token `raw` names, or None (unknown, revoked, expired, or its owner inactive)."""
    if not raw.startswith(SCHEME) or len(raw) != TOKEN_LENGTH:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    return token


def mark_used(token: ApiToken, address: str | None) -> None:
    """Keep the last-used time and address, writing at most once a minute per token."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_RESOLUTION and token.last_used_from == address:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address or None)
    token.last_used_at, token.last_used_from = now, address
