"""Does the AI-system profile agree with the components listed? Pure functions over a system and
its active components (no queries), shared by the tab, the Overview panel and `summary()`.

- A **warning** says the profile claims something the components do not show (a system flagged
  as using tools with no tool listed; processing personal data with no dataset marked personal):
  either the list is incomplete or the profile is wrong.
- A **suggestion** says the components show something the profile does not claim (a tool on a
  system without the tool-use flag): one click turns the flag on through the profile's service;
  a re-assessment then adds the controls that now apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from governance.models.inventory import CAPABILITY_FLAGS

from .models import NEEDS_APPROVAL, Approval, DatasetUse, Kind


@dataclass(frozen=True)
class Finding:
    key: str
    message: object
    flag: str = ""  # for a suggestion: the capability flag to turn on

    @property
    def flag_label(self):
        return CAPABILITY_FLAGS[self.flag][0] if self.flag else ""


def _has_tools(components) -> bool:
    return any(c.kind in NEEDS_APPROVAL for c in components)


def _has_personal_dataset(components) -> bool:
    return any(c.kind == Kind.DATASET and c.personal_data for c in components)


def _has_retrieval_dataset(components) -> bool:
    return any(c.kind == Kind.DATASET and DatasetUse.RETRIEVAL in c.dataset_uses for c in components)


# Flag → (what in the components shows it, why we suggest it).
SUGGESTIONS = {
    "uses_tools": (_has_tools, _("A tool or MCP server is listed, but the profile says the system uses no tools.")),
    "processes_personal_data": (
        _has_personal_dataset,
        _("A dataset is marked as holding personal data, but the profile says the system processes none."),
    ),
    "memory_retrieval": (
        _has_retrieval_dataset,
        _("A dataset is used for retrieval, but the profile says the system has no memory or retrieval."),
    ),
}


def warnings(system, components: Iterable) -> list[Finding]:
    """What the profile claims and the active components do not show."""
    components = [c for c in components if c.retired_at is None]
    found = []
    if system.uses_tools and not _has_tools(components):
        found.append(
            Finding("no_tools", _("The profile says this system uses tools, but no tool or MCP server is listed."))
        )
    if system.processes_personal_data and not _has_personal_dataset(components):
        found.append(
            Finding(
                "no_personal_dataset",
                _("The profile says this system processes personal data, but no dataset is marked as personal."),
            )
        )
    return found


def suggestions(system, components: Iterable) -> list[Finding]:
    """Profile flags the active components suggest turning on."""
    components = [c for c in components if c.retired_at is None]
    return [
        Finding(f"suggest_{flag}", why, flag=flag)
        for flag, (shows, why) in SUGGESTIONS.items()
        if not getattr(system, flag) and shows(components)
    ]


def unapproved(components: Iterable) -> list:
    """Active tools and MCP servers that do not (or no longer) count as approved."""
    return [
        c for c in components if c.retired_at is None and c.kind in NEEDS_APPROVAL and c.approval != Approval.APPROVED
    ]
