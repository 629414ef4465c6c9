"""Receivers: session bookkeeping at sign-in, security events, sessions ended with membership."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import Invitation, Membership
from audit.models import AuditEvent

from . import sessions
from .security_log import current_request, security_event

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="authn.logged_in")
def on_logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    sessions.start(request, user)
    security_event(
        "login.succeeded",
        request=request,
        user=user,
        second_factor="pending" if request.session[sessions.TWO_FACTOR] == sessions.VERIFY else "none",
    )


@receiver(user_logged_out, dispatch_uid="authn.logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event("logout", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="authn.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the username is logged.
    security_event("login.failed", request=request, level=logging.WARNING, username=credentials.get("username", ""))


@receiver(user_locked_out, dispatch_uid="authn.locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    security_event("login.locked_out", request=request, level=logging.WARNING, username=username or "")


# --- Memberships: role changes and invitations are security events; leaving the last
# organisation ends every session ------------------------------------------------------------


@receiver(pre_save, sender=Membership, dispatch_uid="authn.membership_pre_save")
def remember_old_role(sender, instance, **kwargs):
    instance._old_role = (
        Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first() if instance.pk else None
    )


@receiver(post_save, sender=Membership, dispatch_uid="authn.membership_saved")
def on_membership_saved(sender, instance, created, **kwargs):
    old = getattr(instance, "_old_role", None)
    if created:
        event, details = "member.added", {"role": instance.role}
    elif old != instance.role:
        event, details = "member.role_changed", {"role": instance.role, "old_role": old}
    else:
        return
    name = f"user:{instance.user.get_username()}"
    security_event(event, organisation=instance.organisation.slug, obj=name, **details)


@receiver(post_save, sender=Invitation, dispatch_uid="authn.invitation_saved")
def on_invitation_saved(sender, instance, created, **kwargs):
    """Invitations change who may enter an organisation: created, accepted and revoked are logged."""
    if created:
        event = "invitation.created"
    elif instance.accepted_at is not None:
        event = "invitation.accepted"
    elif instance.revoked_at is not None:
        event = "invitation.revoked"
    else:
        event = "invitation.sent"
    security_event(event, organisation=instance.organisation.slug, obj=f"invitation:{instance.pk}", role=instance.role)


@receiver(post_delete, sender=Membership, dispatch_uid="authn.membership_deleted")
def on_membership_deleted(sender, instance, **kwargs):
    user = instance.user
    security_event(
        "member.removed", organisation=instance.organisation.slug, obj=f"user:{user.get_username()}", role=instance.role
    )
    # In the same transaction as the removal: both happen or neither.
    if not Membership.objects.filter(user=user).exists():
        sessions.end_sessions(user)


@receiver(pre_save, sender=User, dispatch_uid="authn.user_pre_save")
def on_user_saved(sender, instance, update_fields=None, **kwargs):
    """A new password or a deactivation ends the user's sessions at once.

    Django would refuse those sessions on their next request anyway (the session carries a hash
    of the password; inactive users are not authenticated); deleting them leaves nothing behind.
    A password change keeps the session that made it.
    """
    if not instance.pk or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return
    old = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    name = f"user:{instance.get_username()}"
    if old["is_active"] and not instance.is_active:
        sessions.end_sessions(instance)
        security_event("account.deactivated", obj=name, level=logging.WARNING)
    elif old["password"] != instance.password:
        request = current_request.get()
        keep = None
        if request is not None and getattr(request, "user", None) is not None and request.user.pk == instance.pk:
            keep = request.session.session_key
        sessions.end_sessions(instance, keep=keep)
        security_event("password.changed", obj=name, level=logging.WARNING)


@receiver(post_save, sender=AuditEvent, dispatch_uid="authn.policy_audited")
def on_two_factor_policy_changed(sender, instance, created, **kwargs):
    """The organisation setting is written by the audited-update path (a queryset update, no model
    signal); its audit event says when the requirement changed."""
    if created and instance.action == "accounts.organisation.updated" and "require_two_factor" in instance.after:
        security_event(
            "two_factor.policy_changed",
            organisation=instance.organisation.slug,
            obj=f"organisation:{instance.organisation.slug}",
            required=instance.after["require_two_factor"],
        )
