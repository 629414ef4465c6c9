"""The scanner's forms: what to scan, and where to attach the report."""

from __future__ import annotations

import base64
import binascii

from crispy_forms.helper import FormHelper
from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from assessments.models import ControlAssignment
from core.hidden_text import FORMATS, MAX_SCAN_BYTES, ScanRefused, decode_input, guess_format

FORMAT_CHOICES = [
    ("auto", _("By file name (text for pasted text)")),
    ("text", _("Plain text")),
    ("csv", _("CSV: name the row and column")),
    ("jsonl", _("JSON Lines: name the JSON path")),
]


class ScanForm(forms.Form):
    """Pasted text or one uploaded file, up to MAX_SCAN_BYTES. Never checked for hidden
    characters itself: finding them is the point."""

    text = forms.CharField(
        label=_("Paste text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_("A system prompt, a guardrail configuration, a dataset sample…"),
    )
    file = forms.FileField(
        label=_("or upload a file"),
        required=False,
        help_text=_("Text, CSV or JSON Lines in UTF-8, up to %(size)s.") % {"size": filesizeformat(MAX_SCAN_BYTES)},
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.csv,.jsonl,.ndjson,.json,.yaml,.yml,text/*"}),
    )
    format = forms.ChoiceField(label=_("Read it as"), choices=FORMAT_CHOICES, initial="auto", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("text") or "", cleaned.get("file")
        if self.errors:
            return cleaned
        if bool(text) == bool(upload):
            raise forms.ValidationError(_("Paste some text or upload a file (one of the two)."))
        fmt = cleaned.get("format") or "auto"
        try:
            if upload:
                if upload.size > MAX_SCAN_BYTES:
                    raise ScanRefused(
                        _("The file is %(size)s bytes; the limit is %(limit)s bytes (1 MB).")
                        % {"size": f"{upload.size:,}", "limit": f"{MAX_SCAN_BYTES:,}"}
                    )
                data = upload.read(MAX_SCAN_BYTES + 1)
                source, fmt = upload.name[:200], guess_format(upload.name) if fmt == "auto" else fmt
            else:
                data = text.encode("utf-8")
                source, fmt = "pasted text", "text" if fmt == "auto" else fmt
            cleaned["scanned"] = decode_input(data)
        except ScanRefused as exc:
            self.add_error("file" if upload else "text", str(exc))
            return cleaned
        cleaned["source"], cleaned["fmt"] = source, fmt
        return cleaned


def encode_payload(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class AttachForm(forms.Form):
    """Attach the report of a scan to a control assignment. The page sends back what it scanned
    (base64, so every character survives the round trip) and the report is made again here:
    the evidence is never a report the browser wrote."""

    assignment = forms.ModelChoiceField(
        label=_("Control assignment"), queryset=ControlAssignment.objects.none(), empty_label=_("Choose…")
    )
    payload = forms.CharField(widget=forms.HiddenInput, strip=False)
    source = forms.CharField(widget=forms.HiddenInput, max_length=200)
    fmt = forms.ChoiceField(widget=forms.HiddenInput, choices=[(f, f) for f in FORMATS])

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: (
            f"{a.ai_system.name} — {a.control.ref} {a.control.title}"
        )

    def clean_payload(self):
        try:
            data = base64.b64decode(self.cleaned_data["payload"], validate=True)
            return decode_input(data)
        except (binascii.Error, ValueError) as exc:
            message = str(exc) if isinstance(exc, ScanRefused) else _("The scanned text did not come back intact.")
            raise forms.ValidationError(message) from None
