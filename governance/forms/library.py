"""Forms of the library pages. Each editing form produces one entry in the library format, so the
service checks it with the same rules as an uploaded file (governance.library.schema)."""

from __future__ import annotations

from typing import Any

import yaml
from crispy_forms.layout import Column, Fieldset, Row
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.choices import Domain
from core.forms import RetireForm, VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from ..applicability import RuleError, describe, readable
from ..applicability import validate as validate_rule
from ..library.documents import MAX_DOCUMENT_BYTES, MAX_RULE_CHARS, parse_rule
from ..library.exporter import FORMATS
from ..library.schema import LibraryInvalid
from ..models import Concern, Control, Framework, Practice

MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES
REF_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Use letters, digits, dots, hyphens and underscores, e.g. ACME-01.")
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ControlForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    """An organisation's own control. The reference is its identity and is fixed once saved."""

    ref = forms.CharField(
        label=_("Reference"),
        max_length=40,
        validators=[REF_VALIDATOR],
        help_text=_("A short id of your own, e.g. ACME-01; it must differ from the built-in references."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("Short and imperative."))
    objective = forms.CharField(
        label=_("Objective"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What the control achieves.")
    )
    guidance = forms.CharField(
        label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=_("How to do it.")
    )
    evidence_hint = forms.CharField(
        label=_("Evidence hint"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What proves the control is in place."),
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        choices=Domain.choices,
        help_text=_("Security: against someone attacking the system. Safety: against harm in normal use."),
    )
    practice = forms.ChoiceField(label=_("Governance practice"), choices=Practice.choices)
    applies_when = forms.CharField(
        label=_("Applies when"),
        initial="always",
        max_length=MAX_RULE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        help_text=_(
            "always, or a rule such as {flag: uses_tools} or {field: exposure, in: [public]}; "
            "see the library format for any / all / not."
        ),
    )
    review_cadence_days = forms.IntegerField(label=_("Review every (days)"), min_value=1, max_value=1095, initial=365)
    concerns = forms.MultipleChoiceField(
        label=_("Concerns it treats"), choices=Concern.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    mappings = forms.CharField(
        label=_("Framework mappings"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text=_("One framework item per line as KEY:ID, e.g. owasp-llm-2025:LLM01 or nist-ai-rmf-1.0:MEASURE 2.7."),
    )

    def __init__(self, *args, control: Control | None = None, **kwargs):
        if control is not None:
            kwargs.setdefault("initial", control_initial(control))
        super().__init__(*args, **kwargs)
        if control is not None:
            self.fields["ref"].disabled = True
            self.fields["ref"].help_text = _("The reference is fixed once a control exists.")
        else:
            self.fields["version"].required = False
        self.helper = form_helper(
            Fieldset(_("The control"), Row(Column("ref", css_class="col-md-3"), Column("title")), "objective"),
            Fieldset(_("Doing it"), "guidance", "evidence_hint"),
            Fieldset(
                _("Who owns it and when it applies"),
                Row(Column("domain"), Column("practice"), Column("review_cadence_days")),
                "applies_when",
            ),
            Fieldset(_("What it covers"), "mappings", "concerns"),
            "version",
        )

    def clean_applies_when(self):
        text = self.cleaned_data["applies_when"].strip()
        try:
            rule = parse_rule(text)
        except LibraryInvalid as exc:
            problem = exc.errors[0].message
            raise forms.ValidationError(
                _("This is not a rule (%(problem)s): write always, or a rule in braces.") % {"problem": problem}
            ) from None
        try:
            validate_rule(rule, "rule")
        except RuleError as exc:
            raise forms.ValidationError(str(exc)) from None
        return rule

    def clean_mappings(self):
        return _lines(self.cleaned_data["mappings"])

    def spec(self) -> dict[str, Any]:
        """The control as a library-format entry."""
        data = self.cleaned_data
        names = ["ref", "title", "objective", "guidance", "evidence_hint", "domain", "practice", "applies_when"]
        return {
            **{name: data[name] for name in names},
            "review_cadence_days": data["review_cadence_days"],
            "mappings": data["mappings"],
            "concerns": list(data["concerns"]),
        }

    def rule_description(self) -> str:
        rule = self.cleaned_data.get("applies_when") if hasattr(self, "cleaned_data") else None
        return describe(rule) if rule is not None else ""


def rule_text(rule: Any) -> str:
    """A stored rule as the form shows it; empty for a rule beyond the grammar's bounds (stored
    before they existed), which the author must then write again."""
    if isinstance(rule, str) or not readable(rule):
        return rule if isinstance(rule, str) else ""
    return yaml.safe_dump(rule, default_flow_style=True).strip()


def control_initial(control: Control) -> dict[str, Any]:
    return {
        **{name: getattr(control, name) for name in ("ref", "title", "objective", "guidance", "evidence_hint")},
        "domain": control.domain,
        "practice": control.practice,
        "applies_when": rule_text(control.applies_when),
        "review_cadence_days": control.review_cadence_days,
        "concerns": control.concerns,
        "mappings": "\n".join(f"{i.framework.key}:{i.ref}" for i in control.mappings.all()),
        "version": control.version,
    }


class ControlRetireForm(RetireForm):
    help = _("Kept in the audit trail. The control stays readable, with everything done under it.")


# The columns of an item line in the framework form, in order (the library format's item fields).
ITEM_COLUMNS = ("ref", "title", "kind", "parent", "out_of_scope", "note")


class FrameworkForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    """An organisation's own framework (an internal policy, a customer's requirements …)."""

    key = forms.CharField(
        label=_("Key"),
        max_length=80,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9.-]*$", _("Lower-case letters, digits, dots and hyphens."))],
        help_text=_("Include the edition, e.g. acme-ai-policy-2026. Mappings refer to items as KEY:ID."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    edition = forms.CharField(label=_("Edition"), max_length=40)
    url = forms.URLField(label=_("Source"), max_length=500, assume_scheme="https")
    licence = forms.CharField(
        label=_("Licence"), max_length=80, initial="internal", help_text=_("e.g. internal, CC-BY-4.0.")
    )
    notice = forms.CharField(
        label=_("Attribution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with the framework, as its licence asks."),
    )
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
        help_text=_(
            "One item per line: ID | title, optionally | kind | parent ID | why it is out of scope | note. "
            "Items you remove are retired; mappings to them stay readable."
        ),
    )

    def __init__(self, *args, framework: Framework | None = None, **kwargs):
        if framework is not None:
            kwargs.setdefault("initial", framework_initial(framework))
        super().__init__(*args, **kwargs)
        if framework is not None:
            self.fields["key"].disabled = True
        else:
            self.fields["version"].required = False
        self.helper = form_helper(
            Fieldset(_("The framework"), Row(Column("key"), Column("edition")), "name"),
            Fieldset(_("Source and licence"), Row(Column("url"), Column("licence")), "notice"),
            Fieldset(_("Items"), "items"),
            "version",
        )

    def clean_items(self):
        items, errors = [], []
        for number, line in enumerate(_lines(self.cleaned_data["items"]), start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) < 2 or len(parts) > len(ITEM_COLUMNS) or not parts[0] or not parts[1]:
                errors.append(
                    _("line %(n)d: write ID | title (optionally | kind | parent ID | out-of-scope reason | note)")
                    % {"n": number}
                )
                continue
            items.append({name: part for name, part in zip(ITEM_COLUMNS, parts, strict=False) if part})
        if errors:
            raise forms.ValidationError(errors)
        return items

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("key", "edition", "name", "url", "licence", "notice", "items")}


def framework_initial(framework: Framework) -> dict[str, Any]:
    lines = []
    for item in framework.items.filter(retired_at__isnull=True).select_related("parent"):
        parts = [item.ref, item.title, item.kind, item.parent.ref if item.parent else "", item.out_of_scope, item.note]
        while parts[-1] == "":
            parts.pop()
        lines.append(" | ".join(parts))
    fields = ("key", "edition", "name", "url", "licence", "notice", "version")
    return {**{name: getattr(framework, name) for name in fields}, "items": "\n".join(lines)}


class LibraryImportForm(forms.Form):
    file = forms.FileField(
        label=_("Library file"),
        help_text=_("YAML or JSON in the Bastion library format, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".yaml", ".yml", ".json")):
            raise forms.ValidationError(_("Upload a .yaml, .yml or .json file."))
        return upload


class LibraryExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS], initial="yaml")
    scope = forms.ChoiceField(
        label=_("Content"),
        choices=[("own", _("Our own frameworks and controls")), ("builtin", _("The built-in library"))],
        initial="own",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Row(Column("format"), Column("scope")))


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class TriageForm(forms.Form):
    """The intent triage: two questions in plain language decide the domain (DESIGN.md)."""

    description = forms.CharField(
        label=_("Describe the risk"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What could go wrong, with which system, in a sentence or two."),
    )
    hostile_intent = forms.TypedChoiceField(
        label=_("In the risk you describe, is someone deliberately trying to make the AI system misbehave?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_(
            "For example by crafting input to get round its rules, planting instructions in content it reads, "
            "poisoning its training data, copying the model or abusing the tools it can use."
        ),
    )
    harm_in_benign_use = forms.TypedChoiceField(
        label=_("Could it cause harm in normal, well-meant use, with nobody attacking it?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_(
            "For example unfair or unsafe answers, made-up facts, decisions about people that are hard to "
            "defend, or an agent that keeps acting on a bad input."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
