"""Choices shared by several apps: the domain split is Bastion's one idea, used everywhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    SECURITY = "security", _("Security")
    SAFETY = "safety", _("Safety")
    BOTH = "both", _("Both")

    @classmethod
    def from_intent(cls, *, hostile_intent: bool, harm_in_benign_use: bool) -> "Domain | None":
        """The intent triage: hostile intent → security, harm in benign use → safety.

        Returns None when neither is true: then it is not an AI security or safety risk.
        """
        if hostile_intent and harm_in_benign_use:
            return cls.BOTH
        if hostile_intent:
            return cls.SECURITY
        if harm_in_benign_use:
            return cls.SAFETY
        return None
