"""Session policy: timeouts, the two-factor state of a session, ending all of a user's sessions.

A session remembers when it started and when it was last used (epoch seconds), and where its
user stands with the second factor, so the middleware needs no query on most requests:

- `none`: no second factor and none required; re-checked every `RECHECK_SECONDS` (an admin may
  have just required two-factor sign-in in one of the user's organisations);
- `verify`: the password was right, the second factor is still to give;
- `enrol`: an organisation of the user requires a second factor and the user has none yet;
- `ok`: the second factor was given in this session.

Resetting or disabling a second factor ends the user's sessions, so a stored `ok` never outlives
the device that earned it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Role

from .models import UserSession
from .net import client_ip

STARTED = "authn.started"
SEEN = "authn.seen"
TWO_FACTOR = "authn.2fa"
CHECKED = "authn.checked"
INDEXED = "authn.key"  # the session key last written to the UserSession index

NONE, VERIFY, ENROL, OK = "none", "verify", "enrol", "ok"

# Activity is written to the session at most this often (a write per request would cost a query).
TOUCH_SECONDS = 60
RECHECK_SECONDS = 60

# Roles that change data: an organisation that requires two-factor sign-in requires it of these.
WRITE_ROLES = (Role.MEMBER, Role.LEAD, Role.ADMIN)


def now() -> int:
    return int(time.time())


def two_factor_required(user) -> bool:
    return Membership.objects.filter(user=user, role__in=WRITE_ROLES, organisation__require_two_factor=True).exists()


def two_factor_state(user) -> str:
    """Where a freshly signed-in user stands (one query)."""
    row = (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            required=Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), role__in=WRITE_ROLES, organisation__require_two_factor=True
                )
            ),
        )
        .values("enrolled", "required")
        .first()
    ) or {"enrolled": False, "required": False}
    if row["enrolled"]:
        return VERIFY
    return ENROL if row["required"] else NONE


def start(request: HttpRequest, user) -> None:
    """At sign-in (the session key has just been cycled): stamp the session and index it."""
    t = now()
    request.session[STARTED] = t
    request.session[SEEN] = t
    request.session[TWO_FACTOR] = two_factor_state(user)
    request.session[CHECKED] = t
    remember(request, user)


def remember(request: HttpRequest, user) -> None:
    """Index the session's key under its user (again when the key changed, e.g. on a password
    change, which cycles it)."""
    key = request.session.session_key
    if key and request.session.get(INDEXED) != key:
        where = {
            "user": user,
            "address": client_ip(request),
            "user_agent": request.headers.get("User-Agent", "")[:200],
        }
        UserSession.objects.update_or_create(session_id=key, defaults=where)
        request.session[INDEXED] = key


def expired(request: HttpRequest) -> str:
    """'idle' or 'absolute' when the session is past a limit, '' otherwise; notes activity."""
    session, t = request.session, now()
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:  # a session from before these limits: start counting
        session[STARTED] = session[SEEN] = t
        return ""
    if t - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if t - seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if t - seen >= TOUCH_SECONDS:
        session[SEEN] = t
    remember(request, request.user)  # no query unless the key changed
    return ""


def current_state(request: HttpRequest) -> str:
    session, t = request.session, now()
    state = session.get(TWO_FACTOR)
    if state is None or (state == NONE and t - session.get(CHECKED, 0) >= RECHECK_SECONDS):
        state = two_factor_state(request.user)
        session[TWO_FACTOR] = state
        session[CHECKED] = t
    return state


def mark_verified(request: HttpRequest) -> None:
    """The second factor was given: a new session key for the raised privilege, state `ok`."""
    request.session.cycle_key()
    request.session[TWO_FACTOR] = OK
    remember(request, request.user)


def end_sessions(user, *, keep: str | None = None) -> int:
    """Delete every session of `user` except `keep` (the caller's own, when it should live on)."""
    doomed = Session.objects.filter(owner__user=user)
    if keep:
        doomed = doomed.exclude(session_key=keep)
    count, _ = doomed.delete()  # their index rows go with them
    return count
