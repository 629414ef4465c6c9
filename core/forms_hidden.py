"""Checking every free-text field of a form for hidden characters (see core.hidden_text).

`HiddenCharacterCheckMixin` goes first in a form's bases. When a submitted text field holds
hidden characters (tag characters, zero-width, bidi controls, variation selectors, other
invisible format characters, or look-alike letters inside a word), the form is not valid yet:
the field gets an error listing what was found and where (line:column), and a choice appears
right after it — *remove them* or *keep them*. The user submits again with a choice; with
"remove", the text is cleaned before any other validation runs (look-alike letters are folded
to Latin where the mapping is known), with "keep" it is saved as typed.

The choices made are in `form.hidden_text_decisions`: a list of
`{"field": name, "choice": "strip" | "keep", "count": characters, "kinds": [...]}`. The view
records them in the audit trail in the same transaction as the save
(`audit.hidden_text.record_hidden_text_choices`).

Checked: every `CharField` (and subclass) that is not hidden, disabled or a password, except
names in `hidden_text_exclude`. Fields added in the subclass's `__init__` are checked too: the
check runs when the form is validated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crispy_forms.layout import Div
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .hidden_text import Finding, scan, strip_hidden

CHOICE_SUFFIX = "__hidden"
STRIP, KEEP = "strip", "keep"
LISTED = 5  # findings named in the warning; the rest are counted

CHOICES = [
    (STRIP, _("Remove them (recommended)")),
    (KEEP, _("Keep them: they are intended")),
]


def describe_findings(findings: list[Finding]) -> str:
    parts = [f"{f.line}:{f.column} {f.describe()}" for f in findings[:LISTED]]
    if len(findings) > LISTED:
        parts.append(_("and %(n)d more") % {"n": len(findings) - LISTED})
    return "; ".join(parts)


if TYPE_CHECKING:
    # The mixin goes before a form class in the bases: the type checker sees the form's API.
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class HiddenCharacterCheckMixin(_FormBase):
    hidden_text_exclude: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_text_findings: dict[str, list[Finding]] = {}
        self.hidden_text_decisions: list[dict] = []
        self._hidden_checked = False
        self._hidden_wrapped: set[str] = set()

    # -- which fields -----------------------------------------------------------------------

    def hidden_text_field_names(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.CharField)
            and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)
            and not field.disabled
            and not name.endswith(CHOICE_SUFFIX)
            and name not in self.hidden_text_exclude
        ]

    # -- validation -------------------------------------------------------------------------

    def full_clean(self):
        if self.is_bound and not self._hidden_checked:
            self._hidden_checked = True
            self._check_hidden_text()
        super().full_clean()
        if self.is_bound:
            for name in [n for n in self.cleaned_data if n.endswith(CHOICE_SUFFIX)]:
                del self.cleaned_data[name]  # the choice is in hidden_text_decisions, not the data
            decided = {d["field"] for d in self.hidden_text_decisions}
            for name, findings in self.hidden_text_findings.items():
                if name not in decided:
                    self.add_error(name, self._warning(findings))

    def _warning(self, findings: list[Finding]) -> str:
        count = sum(f.length for f in findings)
        return ngettext(
            "This text contains %(n)d hidden or look-alike character: %(what)s. "
            "Choose below whether to remove it or keep it, then save again.",
            "This text contains %(n)d hidden or look-alike characters: %(what)s. "
            "Choose below whether to remove them or keep them, then save again.",
            count,
        ) % {"n": count, "what": describe_findings(findings)}

    def _check_hidden_text(self) -> None:
        data = None
        for name in self.hidden_text_field_names():
            field = self.fields[name]
            key = self.add_prefix(name)
            raw = field.widget.value_from_datadict(self.data, self.files, key)
            if not isinstance(raw, str):
                continue
            findings = scan(raw)
            if not findings:
                continue
            self._add_choice(name)
            choice = self.data.get(self.add_prefix(name + CHOICE_SUFFIX))
            if choice not in (STRIP, KEEP):
                self.hidden_text_findings[name] = findings
                continue
            self.hidden_text_decisions.append(
                {
                    "field": name,
                    "choice": choice,
                    "count": sum(f.length for f in findings),
                    "kinds": sorted({f.kind for f in findings}),
                }
            )
            if choice == STRIP:
                if data is None:
                    # Bound data is a QueryDict or a dict (both copy); the stubs type it as a Mapping.
                    data = self.data.copy()  # type: ignore[attr-defined]
                data[key] = strip_hidden(raw, confusables=True)
        if data is not None:
            self.data = data

    def _add_choice(self, name: str) -> None:
        """The strip-or-keep choice, placed right after the field it is about."""
        choice = forms.ChoiceField(
            label=_("Hidden characters in “%(field)s”") % {"field": self.fields[name].label or name},
            choices=CHOICES,
            widget=forms.RadioSelect,
            required=False,
        )
        fields: dict[str, forms.Field] = {}
        for key, value in self.fields.items():
            fields[key] = value
            if key == name:
                fields[name + CHOICE_SUFFIX] = choice
        self.fields = fields

    # -- rendering with crispy-forms --------------------------------------------------------

    @property
    def helper(self):
        """The form's crispy helper, with each strip-or-keep choice wrapped next to its field."""
        try:
            helper = self.__dict__["_hidden_helper"]
        except KeyError:
            raise AttributeError("helper") from None
        if helper.layout is not None:
            for name in self.fields:
                if name.endswith(CHOICE_SUFFIX) and name not in self._hidden_wrapped:
                    self._hidden_wrapped.add(name)
                    target = name.removesuffix(CHOICE_SUFFIX)
                    where = helper[target]
                    if where.slice:
                        where.wrap(Div, name, css_class="hidden-text-field")
                    else:
                        helper.layout.append(name)
        return helper

    @helper.setter
    def helper(self, value):
        self.__dict__["_hidden_helper"] = value
