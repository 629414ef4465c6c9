"""AI-system components (AI-BOM). Other apps read them through `components.queries`; the two
functions are also importable from the package itself (loaded lazily: the app registry imports
this module before models can be)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable


def of_systems(system_ids: Iterable[int]) -> dict[int, list[Any]]:
    """See `components.queries.of_systems` (active components per system, one query)."""
    from .queries import of_systems as fetch

    return fetch(system_ids)


def summary(system_ids: Iterable[int]) -> dict[int, Any]:
    """See `components.queries.summary` (components, warnings, unapproved tools; two queries)."""
    from .queries import summary as build

    return build(system_ids)
