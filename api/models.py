"""API tokens: the credentials of the REST API, stored hashed.

The token itself (`bst_` and 43 random URL-safe characters, 256 bits) is shown once, when it is
created; Bastion keeps its SHA-256 digest and a short prefix it is recognised by.

- A **personal** token belongs to a person and one of their organisations, with a role no higher
  than theirs. It acts as its owner with the lower of that role and the owner's role at the time
  of each request: removing someone from the organisation or lowering their role takes effect on
  their tokens at once. (Tokens created before scoping have no organisation and act with the
  owner's roles everywhere.)
- A **service** token belongs to a team of one organisation, not to a person: it outlives the
  admin who created it. It acts as its own account (`user`, with no password and no membership
  row) with its role in the organisation and as a member of its team (`accounts.access.Scope`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    # The person (personal tokens) or the token's own account (service tokens).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_tokens",
        help_text=_("Service tokens only: the team the token belongs to."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses it, e.g. “CI pipeline of the chatbot”."))
    prefix = models.CharField(max_length=16, help_text=_("The first characters of the token, to recognise it."))
    digest = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 of the token; the token is not kept."))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_service(self) -> bool:
        return self.team_id is not None

    @property
    def label(self) -> str:
        """How audit events name the token: its prefix and name."""
        return f"{self.prefix} {self.name}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"
