"""Context-specific words that make a password easy to guess here (ASVS 6.1.2, 6.2.11).

The list: the product's own words (`BASTION_PASSWORD_CONTEXT_WORDS`) and the names and short
names of the user's organisations. A password that is one of these words, with any case, digits,
punctuation or a year around it, is refused; a long passphrase that merely contains one is fine.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_WORDS = ("bastion", "governance", "security", "safety", "password", "admin", "welcome", "letmein")


def context_words(user=None) -> set[str]:
    words = {w.lower() for w in getattr(settings, "BASTION_PASSWORD_CONTEXT_WORDS", DEFAULT_WORDS)}
    if user is not None and getattr(user, "pk", None):
        from accounts.models import Organisation

        for name, slug in Organisation.objects.filter(memberships__user=user).values_list("name", "slug"):
            words.update({name.lower(), slug.lower(), re.sub(r"[^a-z0-9]", "", name.lower())})
    return {w for w in words if w}


def _core(password: str) -> str:
    """The password without case, spaces, digits and punctuation: what is left to guess."""
    return re.sub(r"[\W\d_]+", "", password.lower())


class ContextWordsValidator:
    def validate(self, password: str, user=None) -> None:
        core = _core(password)
        if core and any(core == _core(word) for word in context_words(user)):
            raise ValidationError(
                _("This password is too easy to guess here: it is a word tied to Bastion or your organisation."),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _("Your password can’t be the name of Bastion or of your organisation, with or without digits.")
