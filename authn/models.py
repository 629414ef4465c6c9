"""Recovery codes for two-factor sign-in, and an index of each user's sessions.

TOTP devices are django-otp's `TOTPDevice` (one confirmed device per user).
"""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models


class RecoveryCode(models.Model):
    """One single-use recovery code, stored as the SHA-256 of the code.

    Codes carry 120 random bits, so a plain hash is enough (ASVS 6.5.2: secrets of 112 bits or
    more need no slow, salted hash); the code itself is shown once and never stored.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class UserSession(models.Model):
    """Which sessions belong to which user, so all of a user's sessions can be ended.

    Rows go with their session (logout, key rotation, `clearsessions` all delete through the ORM,
    which cascades). Needs the database session backend, Bastion's default.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_index")
    session = models.OneToOneField(Session, on_delete=models.CASCADE, db_constraint=False, related_name="owner")
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"session of {self.user_id}"
