"""Tenancy: organisations, their members with a role, and teams that own work."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Domain


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    LEAD = "lead", _("Governance lead")
    MEMBER = "member", _("Member")
    AUDITOR = "auditor", _("Auditor")
    VIEWER = "viewer", _("Viewer")


# Higher rank can do everything a lower rank can. Auditors read everything and export but
# change nothing; members change what their teams own. Capabilities that do not follow the
# ranking (exports, the audit trail) are granted by explicit role sets in accounts/access.py.
ROLE_RANK = {Role.VIEWER: 0, Role.AUDITOR: 1, Role.MEMBER: 2, Role.LEAD: 3, Role.ADMIN: 4}


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True, help_text=_("Used in addresses."))
    readiness_threshold = models.PositiveSmallIntegerField(
        _("readiness threshold (%)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A system is audit-ready when its control readiness reaches this share in both domains."),
    )
    assessment_cadence_days = models.PositiveSmallIntegerField(
        _("assessment cadence (days)"), default=365, validators=[MinValueValidator(7), MaxValueValidator(1095)]
    )
    threat_model_cadence_days = models.PositiveSmallIntegerField(
        _("threat model review cadence (days)"), default=180, validators=[MinValueValidator(7), MaxValueValidator(1095)]
    )
    red_team_cadence_days = models.PositiveSmallIntegerField(
        _("red-team exercise cadence (days)"), default=180, validators=[MinValueValidator(7), MaxValueValidator(1095)]
    )
    alignment_review_cadence_days = models.PositiveSmallIntegerField(
        _("alignment review cadence (days)"), default=365, validators=[MinValueValidator(7), MaxValueValidator(1095)]
    )
    ir_plan_cadence_days = models.PositiveSmallIntegerField(
        _("incident-response plan review cadence (days)"),
        default=365,
        validators=[MinValueValidator(7), MaxValueValidator(1095)],
    )
    tabletop_cadence_days = models.PositiveSmallIntegerField(
        _("tabletop exercise cadence (days)"), default=365, validators=[MinValueValidator(7), MaxValueValidator(1095)]
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_(
            "Members, leads and admins must sign in with an authenticator app as well as their password; "
            "those who have none set up are asked to set one up before anything else."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = [
        "name",
        "readiness_threshold",
        "assessment_cadence_days",
        "threat_model_cadence_days",
        "red_team_cadence_days",
        "alignment_review_cadence_days",
        "ir_plan_cadence_days",
        "tabletop_cadence_days",
        "require_two_factor",
        "version",
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org_home", args=[self.slug])


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique_user")]
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"

    def has_role(self, min_role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(min_role)]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_lead(self) -> bool:
        """Leads and admins govern: approve, accept risks, edit routing and the library."""
        return self.has_role(Role.LEAD)

    @property
    def can_edit(self) -> bool:
        """Members and above change data; auditors and viewers only read."""
        return self.has_role(Role.MEMBER)


class Discipline(models.TextChoices):
    SECURITY = Domain.SECURITY.value, _("Security")
    SAFETY = Domain.SAFETY.value, _("Safety")
    BOTH = Domain.BOTH.value, _("Security and safety")
    OTHER = "other", _("Other")


class TeamQuerySet(models.QuerySet):
    def for_org(self, org: Organisation) -> "TeamQuerySet":
        return self.filter(organisation=org)


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    discipline = models.CharField(
        _("discipline"),
        max_length=16,
        choices=Discipline,
        help_text=_(
            "Security teams own controls against hostile intent; safety teams own controls against harm "
            "in normal use. Default routing of controls follows this."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TeamQuerySet.as_manager()

    AUDITED_FIELDS = ["name", "discipline", "description", "lead", "members", "version"]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "organisation", name="team_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:team_detail", args=[self.organisation.slug, self.pk])


def valid_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list, such as Europe/Berlin."))


class Profile(models.Model):
    """Per-user settings that follow the person across organisations and sessions."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[valid_time_zone],
        help_text=_("Dates and times are shown in this zone. Empty: the site's zone."),
    )
    last_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An offer to join an organisation, accepted by the invitee (never imposed by an admin).

    `invitee` is what the admin typed (an e-mail address or a username) and is all the
    organisation sees until the invitation is accepted. The link's token is never stored: it is
    an HMAC of the row's random `salt` under SECRET_KEY (see accounts/invitations.py), so a copy
    of the database alone cannot accept an invitation, yet the members page can show the link
    again.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.CharField(_("e-mail address or username"), max_length=254)
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    salt = models.CharField(max_length=64, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.invitee} to {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
