"""Member invitations: an admin offers a role, the invitee accepts, and only then is a member.

The add form never says whether an account exists (no username enumeration): an invitation is
created and e-mailed the same way for any e-mail address or username typed. An account found by
username gets the e-mail at its own address; a username with no account gets nothing, and the
admin sees the same answer (they can copy the link from the members page and pass it on).

The link's token is never stored: it is an HMAC (under SECRET_KEY) of the invitation's id and a
random per-invitation salt, like Django's password-reset tokens. A copy of the database alone
cannot accept an invitation; the members page can still show the link until it is used, revoked
or expired.

Creating, re-sending, accepting and revoking are audited in the transaction of the change.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from audit.services import record

from .models import Invitation, Membership, Organisation
from .services import membership_add

User = get_user_model()
logger = logging.getLogger(__name__)

TOKEN_PURPOSE = "bastion.accounts.invitation"  # noqa: S105  (an HMAC key salt, not a secret)


def validity() -> dt.timedelta:
    return dt.timedelta(days=settings.BASTION_INVITATION_DAYS)


def invitation_token(invitation: Invitation) -> str:
    return salted_hmac(TOKEN_PURPOSE, f"{invitation.pk}:{invitation.salt}", algorithm="sha256").hexdigest()


def invitation_path(invitation: Invitation) -> str:
    return reverse("invitation_accept", args=[invitation.pk, invitation_token(invitation)])


def invitation_from_link(pk: int, token: str) -> Invitation | None:
    """The invitation a link names, or None when the link is not genuine (same answer for both)."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=pk).first()
    if invitation is None or not constant_time_compare(invitation_token(invitation), token):
        return None
    return invitation


def open_invitations(request, organisation: Organisation) -> list[Invitation]:
    """Invitations neither accepted nor revoked (pending or expired), each with its full `link`
    while it still works. Two queries whatever their number."""
    rows = list(
        Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .prefetch_related("teams")
        .order_by("-created_at")
    )
    for invitation in rows:
        # Shown on the members page; the token is not stored, so the link exists only here.
        link = request.build_absolute_uri(invitation_path(invitation)) if invitation.is_pending else ""
        invitation.link = link  # type: ignore[attr-defined]
    return rows


def is_email(invitee: str) -> bool:
    return "@" in invitee


def _state(invitation: Invitation) -> dict:
    return {
        "invitee": invitation.invitee,
        "role": invitation.role,
        "teams": sorted(t.name for t in invitation.teams.all()),
        "expires_at": invitation.expires_at.isoformat(timespec="seconds"),
    }


def _recipient(invitation: Invitation) -> str | None:
    if is_email(invitation.invitee):
        return invitation.invitee
    account = User.objects.filter(username__iexact=invitation.invitee, is_active=True).first()
    return account.email if account and account.email else None


def _send(invitation: Invitation, site_url: str) -> None:
    """E-mail the link (after the transaction: a slow mail server never holds a lock)."""
    recipient = _recipient(invitation)
    if recipient is None:
        # A username without an account (or without an address): nothing to send, yet the row
        # must read exactly like a sent one, or the members page would tell which accounts exist.
        _mark_sent(invitation)
        return
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "link": site_url.rstrip("/") + invitation_path(invitation),
        "role": invitation.get_role_display(),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_body.txt", context)
    try:
        send_mail(subject, body, None, [recipient])
    except Exception:  # the invitation stands; the admin copies the link from the members page
        logger.exception("Could not send invitation %s", invitation.pk)
        return
    _mark_sent(invitation)


def _mark_sent(invitation: Invitation) -> None:
    invitation.sent_at = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=invitation.sent_at)


def _ensure_not_member(organisation: Organisation, invitee: str) -> None:
    """Refuse an invitee who is already a member or already invited: data of the admin's own
    organisation, so this reveals nothing about accounts elsewhere."""
    members = Membership.objects.filter(organisation=organisation)
    field = "user__email__iexact" if is_email(invitee) else "user__username__iexact"
    if members.filter(**{field: invitee}).exists():
        raise ValidationError(_("%(who)s is already a member of %(org)s.") % {"who": invitee, "org": organisation})
    if Invitation.objects.filter(organisation=organisation, invitee__iexact=invitee).pending().exists():
        raise ValidationError(
            _("%(who)s has a pending invitation; re-send it from the members page.") % {"who": invitee}
        )


def invitation_create(
    *, actor, organisation: Organisation, invitee: str, role: str, teams=(), site_url: str
) -> Invitation:
    invitee = invitee.strip()
    with transaction.atomic():
        _ensure_not_member(organisation, invitee)
        invitation = Invitation.objects.create(
            organisation=organisation,
            invitee=invitee,
            role=role,
            salt=secrets.token_hex(16),
            invited_by=actor,
            expires_at=timezone.now() + validity(),
        )
        invitation.teams.set(teams)
        _audit(invitation, actor=actor, verb="created", after=_state(invitation))
    _send(invitation, site_url)
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)


def _locked_open(invitation: Invitation) -> Invitation:
    """The row, locked, if it is neither accepted nor revoked (expired ones may be re-sent)."""
    invitation = _locked(invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation was already used or revoked."))
    return invitation


def _audit(invitation: Invitation, *, actor, verb: str, before=None, after=None) -> None:
    record(
        organisation=invitation.organisation,
        actor=actor,
        action=f"accounts.invitation.{verb}",
        obj=invitation,
        object_repr=invitation.invitee,
        before=before,
        after=after,
    )


def invitation_resend(*, actor, invitation: Invitation, site_url: str) -> Invitation:
    """Send the same link again, valid for another full period (also after it expired)."""
    with transaction.atomic():
        invitation = _locked_open(invitation)
        before = invitation.expires_at.isoformat(timespec="seconds")
        invitation.expires_at = timezone.now() + validity()
        invitation.save(update_fields=["expires_at"])
        after = invitation.expires_at.isoformat(timespec="seconds")
        _audit(invitation, actor=actor, verb="resent", before={"expires_at": before}, after={"expires_at": after})
    _send(invitation, site_url)
    return invitation


def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    with transaction.atomic():
        invitation = _locked_open(invitation)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(invitation, actor=actor, verb="revoked", before={"invitee": invitation.invitee, "role": invitation.role})
    return invitation


def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """The invitee's consent: only now do they become a member, with the role offered."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if not invitation.is_pending:
            raise ValidationError(_("This invitation is no longer valid; ask for a new one."))
        if Membership.objects.filter(organisation=invitation.organisation, user=user).exists():
            raise ValidationError(_("You are already a member of %(org)s.") % {"org": invitation.organisation})
        teams = list(invitation.teams.all())
        membership = membership_add(
            actor=user, organisation=invitation.organisation, user=user, role=invitation.role, teams=teams
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _audit(invitation, actor=user, verb="accepted", after={"user": user.username, "role": invitation.role})
    return membership


def invitation_accept_new_account(
    *, invitation: Invitation, username: str, email: str, first_name: str, last_name: str, password: str
) -> tuple:
    """Create the invitee's account with the password they chose, then accept, all or nothing."""
    with transaction.atomic():
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_password(password)
        user.save()
        membership = invitation_accept(invitation=invitation, user=user)
    return user, membership
