"""The registry of record types: what the shared views need to know about each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from core.workflow import Workflow

KINDS: dict[str, RecordKind] = {}


@dataclass(frozen=True)
class RecordKind:
    key: str  # URL names are "<namespace>:<key>_detail", "<key>_act", …
    namespace: str
    model: Any  # a GovernedRecord subclass
    workflow: Workflow
    label: Any
    queryset: Callable[[], Any]
    detail_template: str
    domain_of: Callable[[Any], str]  # the domain a free-text follow-up is routed by
    practice: str = ""
    tab: str = ""  # the AI-system tab the record type's pages sit under

    def __post_init__(self) -> None:
        if not self.tab:
            object.__setattr__(self, "tab", self.key)

    def url(self, view: str, org_slug: str, pk: int) -> str:
        return reverse(f"{self.namespace}:{self.key}_{view}", args=[org_slug, pk])


def register(kind: RecordKind) -> RecordKind:
    KINDS[kind.model._meta.label_lower] = kind
    return kind


def governed_kinds() -> list[RecordKind]:
    """The registered types that are governed records (versions, review, a review cadence);
    incidents share the registry, for their follow-ups, but are none of those."""
    from .models import GovernedRecord

    return [kind for kind in KINDS.values() if issubclass(kind.model, GovernedRecord)]


def kind_of_model(model: Any) -> RecordKind:
    return KINDS[model._meta.label_lower]
