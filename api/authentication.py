"""`Authorization: Bearer bst_…` for the REST API, and the audit channel of token requests."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from authn.net import client_ip
from authn.security_log import security_event

from .tokens import mark_used, missing_two_factor, token_for

KEYWORD = "bearer"


def bearer(request) -> str | None:
    """The token of an `Authorization: Bearer …` header; None when the header names another scheme."""
    header = authentication.get_authorization_header(request).split()
    if not header or header[0].lower() != KEYWORD.encode():
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(_("Give the token after “Bearer ”, without spaces in it."))
    try:
        return header[1].decode("ascii")
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A personal API token acts as its owner. A wrong, expired or revoked token is 401, whatever
    other credentials the request carries."""

    def authenticate(self, request):
        raw = bearer(request)
        if raw is None:
            return None
        token = token_for(raw)
        if token is None:
            security_event("api.token.refused", request=request._request, token=raw[:12])
            raise exceptions.AuthenticationFailed(_("The token is not valid, or it has expired or been revoked."))
        if not token.is_service and missing_two_factor(token.user, token.organisation, token.role):
            # Made before the organisation required two-factor sign-in, or its person removed their
            # authenticator since: it may not change data there until they set one up again.
            security_event("api.token.refused", request=request._request, token=token.prefix, reason="two_factor")
            raise exceptions.PermissionDenied(
                _(
                    "This organisation requires two-factor sign-in and this token's owner has no authenticator "
                    "set up: set one up, or use a token with the viewer or auditor role."
                )
            )
        mark_used(token, client_ip(request._request))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
