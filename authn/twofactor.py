"""Two-factor sign-in: enrolling a TOTP authenticator, checking codes, recovery codes, reset.

Each change is audited in every organisation the user belongs to (the second factor belongs to
the account, not to one organisation, and each organisation's auditors should see it), in the
same transaction as the change, and logged as a security event.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership
from audit.services import record

from .models import RecoveryCode
from .security_log import security_event
from .sessions import end_sessions

RECOVERY_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # 31 symbols, no look-alikes (0/o, 1/l/i)
_CODE_LENGTH = 25  # 25 × log2(31) ≈ 124 bits


def _digest(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch in _ALPHABET)
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, _CODE_LENGTH, 5))


def _audit(user, *, actor, action: str, after: dict | None = None) -> None:
    """One audit event per organisation of `user` (inside the caller's transaction)."""
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        record(
            organisation=membership.organisation,
            actor=actor,
            action=action,
            obj=membership,
            object_repr=user.get_username(),
            after=after or {},
        )


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (created on first visit, kept on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _issue_codes(user) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(c)) for c in codes])
    return codes


def enrol_confirm(user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it; return fresh recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if not device.verify_token(token):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _issue_codes(user)
        _audit(user, actor=user, action="accounts.two_factor.enrolled", after={"method": "totp"})
    security_event("two_factor.enrolled", user=user)
    return codes


def verify(user, token: str) -> bool:
    """Check a code from the user's authenticator (each code is accepted once; throttled)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        ok = device is not None and device.verify_token(token)
    security_event("two_factor.verified" if ok else "two_factor.failed", user=user, level=20 if ok else 30)
    return ok


def use_recovery_code(user, code: str) -> bool:
    """Spend one recovery code in place of the authenticator."""
    with transaction.atomic():
        spent = RecoveryCode.objects.filter(user=user, digest=_digest(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if spent:
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            _audit(user, actor=user, action="accounts.two_factor.recovery_code_used", after={"codes_left": left})
    security_event(
        "two_factor.recovery_code_used" if spent else "two_factor.recovery_code_failed",
        user=user,
        level=30,
    )
    return bool(spent)


def codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def regenerate_codes(user) -> list[str]:
    with transaction.atomic():
        codes = _issue_codes(user)
        _audit(user, actor=user, action="accounts.two_factor.recovery_codes_regenerated")
    security_event("two_factor.recovery_codes_regenerated", user=user)
    return codes


def _remove(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


def disable(user, *, keep_session: str | None) -> None:
    """The user turns their second factor off; their other sessions end."""
    with transaction.atomic():
        _remove(user)
        _audit(user, actor=user, action="accounts.two_factor.disabled")
        end_sessions(user, keep=keep_session)
    security_event("two_factor.disabled", user=user, level=30)


def reset(*, actor, target_membership: Membership) -> None:
    """An organisation admin clears a member's second factor (lost phone and codes).

    The member's sessions end; they sign in with their password and enrol again (at once, if an
    organisation of theirs requires it).
    """
    user = target_membership.user
    with transaction.atomic():
        _remove(user)
        _audit(user, actor=actor, action="accounts.two_factor.reset", after={"by": actor.get_username()})
        end_sessions(user)
    security_event(
        "two_factor.reset",
        user=actor,
        organisation=target_membership.organisation.slug,
        obj=f"user:{user.get_username()}",
        level=30,
    )
