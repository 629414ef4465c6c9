"""Creating a personal API token: a name, an expiry, and the password again."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class TokenCreateForm(HiddenCharacterCheckMixin, PasswordConfirmForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, so you recognise it later: “CI pipeline of the support chatbot”."),
    )
    expires = forms.ChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, initial="90")

    field_order = ["name", "expires", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _("A token acts as you: confirm it is you creating it.")
        self.helper = form_helper()

    def expires_at(self) -> dt.datetime | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else timezone.now() + dt.timedelta(days=int(value))
