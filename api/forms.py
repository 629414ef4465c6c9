"""Creating API tokens: a name, an organisation (personal) or a team (service), a role no higher
than the creator's, an expiry, and the password again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ROLE_RANK, Membership, Organisation, Role, Team
from authn.forms import PasswordConfirmForm
from core.forms import form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

EXPIRY_CHOICES = [
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("never", _("Never (not recommended)")),
]


def roles_up_to(role: str) -> list[tuple[str, Any]]:
    """The roles a token created by someone with `role` may have, highest first."""
    return [
        (r.value, r.label) for r in sorted(Role, key=lambda r: -ROLE_RANK[r]) if ROLE_RANK[r] <= ROLE_RANK[Role(role)]
    ]


class _TokenForm(HiddenCharacterCheckMixin, PasswordConfirmForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, so you recognise it later: “CI pipeline of the support chatbot”."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=roles_up_to(Role.ADMIN),
        help_text=_("The most the token may do; give it the lowest role its job needs."),
    )
    expires = forms.ChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, initial="90")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def expires_at(self) -> dt.datetime | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else timezone.now() + dt.timedelta(days=int(value))


class TokenCreateForm(_TokenForm):
    """A personal token: one of the person's organisations, a role no higher than theirs there."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("The one organisation the token may reach."),
    )

    field_order = ["name", "organisation", "role", "expires", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {
            m.organisation_id: m for m in Membership.objects.filter(user=self.user).select_related("organisation")
        }
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=self.memberships).order_by("name")
        self.fields["role"].initial = Role.VIEWER
        self.fields["password"].help_text = _("A token acts as you: confirm it is you creating it.")

    def clean(self):
        data = super().clean()
        organisation, role = data.get("organisation"), data.get("role")
        if organisation and role:
            mine = self.memberships[organisation.pk].role
            if ROLE_RANK[Role(role)] > ROLE_RANK[Role(mine)]:
                self.add_error(
                    "role", _("Your role there is %(role)s: choose that or a lower one.") % {"role": Role(mine).label}
                )
        return data


class ServiceTokenCreateForm(_TokenForm):
    """A service token of one of the organisation's teams (admins only)."""

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        help_text=_("The team the token works for: with the member role it changes what this team owns."),
    )

    field_order = ["name", "team", "role", "expires", "password"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(organisation).order_by("name")
        self.fields["role"].initial = Role.MEMBER
        self.fields["password"].help_text = _("Confirm it is you creating a credential for the organisation.")
