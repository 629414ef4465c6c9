"""Small presentation helpers used on every page (registered as template builtins)."""

import datetime as dt
import functools

from django import forms, template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.forms_hidden import CHOICE_SUFFIX
from core.hidden_text import TAG, has_hidden, scan
from core.rendering import FastSelect

register = template.Library()

DOMAIN_BADGES = {
    "security": ("shield-lock", _("Security"), "badge-domain-security"),
    "safety": ("heart-pulse", _("Safety"), "badge-domain-safety"),
}


# The badge of each known domain in each language, built once: it is on every row of several lists.
_badges: dict[tuple[str, str | None], str] = {}


@register.simple_tag
def domain_badge(domain: str):
    """One badge per domain, everywhere: colour plus icon plus text, never colour alone."""
    if domain not in DOMAIN_BADGES and domain != "both":
        return _domain_badge(domain)
    key = (domain, get_language())
    if key not in _badges:
        _badges[key] = _domain_badge(domain)
    return _badges[key]


def _domain_badge(domain: str):
    if domain == "both":
        # A split badge: the security half and the safety half each keep their own colour.
        return format_html(
            '<span class="badge badge-domain-both"><span class="half half-security">'
            '<i class="bi bi-shield-lock" aria-hidden="true"></i> {}</span><span class="half half-safety">'
            '<i class="bi bi-heart-pulse" aria-hidden="true"></i> {}</span></span>',
            _("Security"),
            _("Safety"),
        )
    icon, label, css = DOMAIN_BADGES.get(domain, ("question-circle", domain, "text-bg-secondary"))
    return format_html('<span class="badge {}"><i class="bi bi-{}" aria-hidden="true"></i> {}</span>', css, icon, label)


# An id no row has: reversed in its place, then replaced by each row's id.
_ID = 918_273_645_546_372_819


@functools.lru_cache(maxsize=1024)
def _id_pattern(name: str, lead: tuple, urlconf, prefix: str) -> tuple[str, str] | None:
    url = reverse(name, args=[*lead, _ID], urlconf=urlconf)
    head, found, tail = url.rpartition(str(_ID))
    return (head, tail) if found and str(_ID) not in head else None


@receiver(setting_changed)
def _forget_id_patterns(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):  # tests that swap the URLs
        _id_pattern.cache_clear()


@register.simple_tag
def id_url(name: str, *args):
    """`{% url %}` for a row's page whose last argument is its integer id: the URL is reversed once
    per page and name (then cached), and each row's id put in its place. Reversing on every row
    cost ~15 µs; in a 50-row list with two links a row, that was a few ms."""
    *lead, pk = args
    if type(pk) is not int:
        return reverse(name, args=args)
    pattern = _id_pattern(name, tuple(lead), get_urlconf(), get_script_prefix())
    if pattern is None:
        return reverse(name, args=args)
    return f"{pattern[0]}{pk}{pattern[1]}"


@functools.lru_cache(maxsize=4096)
def _day(value: dt.date, language: str | None) -> str:
    return date_format(value, "j M Y")


@register.filter(expects_localtime=True)
def day(value) -> str:
    """`{{ value|date:"j M Y" }}`, formatted once per day and language (the month name is looked
    up in the catalogue on every call of the date filter): rows of a list share a few dozen days."""
    if isinstance(value, dt.datetime):
        value = value.date()  # already in the current time zone (expects_localtime)
    if not isinstance(value, dt.date):
        return ""
    return _day(value, get_language())


@register.filter
def choice_label(value, choices):
    """Label of `value` in a TextChoices class: {{ system.exposure|choice_label:Exposure }}."""
    try:
        return choices(value).label
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def nav_active(context, *prefixes: str) -> str:
    """'active' when the current URL name starts with one of the prefixes (for the side navigation)."""
    match = getattr(context.get("request"), "resolver_match", None)
    name = f"{match.namespace}:{match.url_name}" if match and match.namespace else (match.url_name if match else "")
    return "active" if any(name.startswith(p) for p in prefixes) else ""


@register.filter
def display_value(value):
    """Audit values for people: booleans as yes/no, empties as a dash."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return reveal_hidden(value) if isinstance(value, str) else value


@register.filter
def person(user):
    """A user as people know them: full name, or the username when no name is set."""
    if not user:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def bootstrap_widget(bound_field, size: str = "sm"):
    """Render a bound field's widget with Bootstrap's class for its kind (filter bars, inline forms)."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", None)
    if input_type in ("checkbox", "radio"):
        css = "form-check-input"
    elif input_type == "select" or widget.__class__.__name__.endswith("Select"):
        css = f"form-select form-select-{size}"
    else:
        css = f"form-control form-control-{size}"
    if bound_field.errors:
        css += " is-invalid"
    if type(widget) is forms.Select:
        # The same HTML, rendered in Python instead of through a widget template per option.
        widget = FastSelect(attrs=widget.attrs, choices=widget.choices)
        return bound_field.as_widget(widget=widget, attrs={"class": css})
    return bound_field.as_widget(attrs={"class": css})


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context, field: str, label: str, param: str = "sort"):
    """A sortable column header: a link that sorts by `field`, toggling direction, keeping filters."""
    request = context["request"]
    current = request.GET.get(param, "")
    ascending = current == field
    params = request.GET.copy()
    params[param] = f"-{field}" if ascending else field
    params.pop("page", None)
    state = "ascending" if ascending else "descending" if current == f"-{field}" else "none"
    return {"label": label, "url": "?" + params.urlencode(), "state": state}


@register.filter(needs_autoescape=True)
def reveal_hidden(value, autoescape=True):
    """Text with each hidden character shown as a visible marker (see core.hidden_text).

    Autoescaped like any value: the result is built only from escaped text and markers whose
    content is escaped by format_html. Text without hidden characters costs one regex search.
    """
    if not isinstance(value, str) or not has_hidden(value):
        return value
    keep = conditional_escape if autoescape else (lambda text: text)
    parts, last = [], 0
    for finding in scan(value, confusables=False):
        parts.append(keep(value[last : finding.offset]))
        if finding.kind == TAG:
            label = f"⟦tags: {finding.decoded}⟧"
        elif finding.decoded:
            label = f"⟦{finding.codepoint} ×{finding.length}: {finding.decoded}⟧"
        else:
            label = f"⟦{finding.codepoint}⟧" + (f"×{finding.length}" if finding.length > 1 else "")
        title = f"{finding.codepoint} {finding.name} — {finding.label}"
        parts.append(format_html('<span class="hidden-char" title="{}">{}</span>', title, label))
        last = finding.offset + finding.length
    parts.append(keep(value[last:]))
    # Every part is escaped already (SafeString), so joining them escapes nothing twice.
    return format_html_join("", "{}", ((part,) for part in parts))


@register.inclusion_tag("includes/hidden_text_choice.html")
def hidden_text_choice(bound_field):
    """The strip-or-keep choice of a hand-rendered text field, when the form found hidden
    characters in it (core.forms_hidden); nothing otherwise."""
    form = getattr(bound_field, "form", None)
    name = f"{getattr(bound_field, 'name', '')}{CHOICE_SUFFIX}"
    return {"choice": form[name] if form is not None and name in form.fields else None}
