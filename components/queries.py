"""What other apps read about components (the EU AI Act technical file, readiness, reports).

    import components

    components.of_systems(system_ids)  # or from components.queries import of_systems, summary
    components.summary(system_ids)

Both run a fixed number of queries whatever the number of systems (one for `of_systems`, two for
`summary`), and see active components only (retired ones are history).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from governance.models import AISystem

from . import consistency
from .models import Component, Kind


def of_systems(system_ids: Iterable[int]) -> dict[int, list[Component]]:
    """Active components of each system, by kind then name (one query). Systems without
    components map to an empty list. `owner_team` is loaded with each component."""
    ids = list(system_ids)
    found: dict[int, list[Component]] = {pk: [] for pk in ids}
    rows = Component.objects.active().filter(ai_system_id__in=ids).select_related("owner_team").order_by("kind", "name")
    for component in rows:
        found[component.ai_system_id].append(component)
    return found


@dataclass
class SystemComponents:
    """One system's components and what they say about it."""

    system: AISystem
    components: list[Component] = field(default_factory=list)
    warnings: list[consistency.Finding] = field(default_factory=list)
    suggestions: list[consistency.Finding] = field(default_factory=list)
    unapproved: list[Component] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Component]:
        return [c for c in self.components if c.kind == kind]

    @property
    def models(self) -> list[Component]:
        return self.of_kind(Kind.MODEL)

    @property
    def datasets(self) -> list[Component]:
        return self.of_kind(Kind.DATASET)

    @property
    def personal_datasets(self) -> list[Component]:
        return [c for c in self.datasets if c.personal_data]

    @property
    def tools(self) -> list[Component]:
        return self.of_kind(Kind.TOOL)

    @property
    def mcp_servers(self) -> list[Component]:
        return self.of_kind(Kind.MCP_SERVER)

    @property
    def services(self) -> list[Component]:
        return self.of_kind(Kind.SERVICE)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in Kind.values}


def build(system: AISystem, components: list[Component]) -> SystemComponents:
    """The summary of one system whose active components the caller holds (no queries)."""
    return SystemComponents(
        system=system,
        components=components,
        warnings=consistency.warnings(system, components),
        suggestions=consistency.suggestions(system, components),
        unapproved=consistency.unapproved(components),
    )


def summary(system_ids: Iterable[int]) -> dict[int, SystemComponents]:
    """Each system's components, profile warnings, suggestions and unapproved tools (two queries).
    Ids of systems that do not exist are left out; callers pass ids they fetched for the tenant."""
    ids = list(system_ids)
    systems = AISystem.objects.filter(pk__in=ids).select_related("organisation")
    components = of_systems(ids)
    return {system.pk: build(system, components[system.pk]) for system in systems}
