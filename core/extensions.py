"""Extension points: lower apps show what higher apps contribute, without importing them.

`governance` owns the AI-system page, but the assessment tabs and readiness panel come from
`assessments`, which depends on governance, not the other way round (and record apps sit higher
still). A higher app registers its contributions in its `AppConfig.ready()`:

    extensions.register(extensions.SYSTEM_TABS, controls_tab, order=20)

and the lower app's view calls `collect(SYSTEM_TABS, system=…, membership=…)`. Registration is
code, not import strings in settings: a typo fails at start-up, the type checker sees the
functions, and an app's contributions are listed next to the app.

Hooks, what their functions take and return (None: nothing to add here):
- `ORG_HOME(membership)` → a URL to land on (the first answer wins);
- `SYSTEM_TABS(system, membership)` → `Tab` for the AI-system page;
- `SYSTEM_PANELS(system, membership)` → `Panel` shown on the system Overview. The panels are kept
  under the organisation's data version (`audit.versions.kept_template`): a panel must show every
  reader the same thing and change only with an audited change;
- `SYSTEM_LIVE_PANELS(system, membership)` → `Panel` shown on the Overview after those, made on
  every view: for what differs per reader (a form with the reader's CSRF token) or changes
  without an audited change (an audit pack being built);
- `TEAM_PANELS(team, membership)` → `Panel` shown on the team page;
- `WORK_PANELS(membership, version)` → `Panel` shown on *My team's work* (follow-ups of records);
  `version` is the organisation's data version the page read, for what a panel keeps under it
  (`audit.versions.cached_for_org(..., version=version)`) without reading it again;
- `SEARCH(membership, query)` → a list of search result groups for the top-bar search;
- `CONTROL_READINESS(system)` → the control readiness of one system (per domain: verified /
  applicable, awaiting verification, overdue), for lower apps' pages (`first()` takes it);
- `TEAMS_LOAD(organisation, teams)` → the open work each team holds (a list, one per team);
- `SYSTEM_LIST(membership)` → `ListColumns`: extra filters and columns of the inventory list;
- `PROFILE_PANELS(user)` → `Panel` shown on the signed-in user's profile page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ORG_HOME = "org_home"
SYSTEM_TABS = "system_tabs"
SYSTEM_PANELS = "system_panels"
SYSTEM_LIVE_PANELS = "system_live_panels"
TEAM_PANELS = "team_panels"
WORK_PANELS = "work_panels"
SEARCH = "search"
CONTROL_READINESS = "control_readiness"
TEAMS_LOAD = "teams_load"
SYSTEM_LIST = "system_list"
PROFILE_PANELS = "profile_panels"
HOOKS = frozenset(
    {
        ORG_HOME,
        SYSTEM_TABS,
        SYSTEM_PANELS,
        SYSTEM_LIVE_PANELS,
        TEAM_PANELS,
        WORK_PANELS,
        SEARCH,
        CONTROL_READINESS,
        TEAMS_LOAD,
        SYSTEM_LIST,
        PROFILE_PANELS,
    }
)


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    url: str


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ListColumns:
    """What a higher app adds to a list page of a lower one: `filters` (name → a django-filter
    `Filter`, added to the page's filter set), `headers` (column labels) and `cells(rows)`, which
    returns each row's extra cells (`{pk: [Cell, …]}`) for the visible page in a fixed number of
    queries."""

    headers: list[Any]
    cells: Callable[[list], dict[int, list[Cell]]]
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    text: Any
    url: str = ""
    css: str = ""
    title: Any = ""


_registry: dict[str, list[tuple[int, Callable[..., Any]]]] = {hook: [] for hook in HOOKS}


def register(hook: str, function: Callable[..., Any], *, order: int = 100) -> None:
    """Contribute `function` to `hook`; contributions are collected in `order` (then as registered).
    Registering the same function twice (a second `ready()` in tests) is harmless."""
    if hook not in HOOKS:
        raise ValueError(f"unknown extension hook {hook!r}; known: {sorted(HOOKS)}")
    entries = _registry[hook]
    if all(existing is not function for _order, existing in entries):
        entries.append((order, function))
        entries.sort(key=lambda entry: entry[0])


def collect(hook: str, **kwargs: Any) -> list:
    """Call every function registered for `hook`; return their answers that are not None."""
    return [answer for _order, function in _registry[hook] if (answer := function(**kwargs)) is not None]


def first(hook: str, **kwargs: Any) -> Any:
    """The first contribution to `hook` (None when no app contributes): for hooks that answer a
    question (a system's control readiness) rather than add to a page."""
    answers = collect(hook, **kwargs)
    return answers[0] if answers else None
