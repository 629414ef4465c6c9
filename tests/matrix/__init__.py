"""Rows of the permission matrix, one module per area; tests/test_permissions.py merges them.

Each module defines `ROWS: dict[str, Row]` (URL name → who may open it) and may define
`extend_world(world)` to add the objects its URLs need to the shared `world` dict, and
`grow(world, times)` to add `times` more of the rows its pages list (tests/test_query_scaling.py
checks that a page runs as many queries after growing as before).
"""

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

from accounts.models import ROLE_RANK, Role

ROLES = [Role.VIEWER, Role.AUDITOR, Role.MEMBER, Role.LEAD, Role.ADMIN]


def at_least(role: str) -> frozenset:
    return frozenset(r for r in ROLES if ROLE_RANK[r] >= ROLE_RANK[Role(role)])


@dataclass(frozen=True)
class Row:
    kwargs: Any = None  # callable(world) -> dict of URL kwargs (org_slug is added)
    allowed: frozenset = field(default_factory=lambda: at_least(Role.VIEWER))
    method: str = "get"
    ok: tuple = (200,)
    data: Any = None  # callable(world) -> POST data
    # Members may do it only on what their team owns: a member of another team of the same
    # organisation gets 403 (the "other team" persona). Otherwise that persona is a plain member.
    team_scoped: bool = False
    # An API endpoint (tests/matrix/api.py): called with each persona's token, JSON bodies, and
    # anonymous callers get 401 instead of the login page. `method` may be any HTTP method.
    api: bool = False


def area_modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{__name__}.{info.name}")


def merged_rows() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for module in area_modules():
        clash = rows.keys() & module.ROWS.keys()
        assert not clash, f"{module.__name__} repeats matrix rows {clash}"
        rows.update(module.ROWS)
    return rows


def extend_world(world: dict) -> None:
    for module in area_modules():
        if hasattr(module, "extend_world"):
            module.extend_world(world)
