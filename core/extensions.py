"""Extension points: lower apps show what higher apps contribute, without importing them.

`governance` owns the AI-system page but the assessment tabs and readiness panel come from
`assessments`, which depends on governance, not the other way round. Settings list the
functions that contribute (`BASTION_EXTENSIONS[hook]`); a lower app calls `collect(hook, …)`.

Hooks in use:
- `org_home(membership)` → a URL to land on, or None (first answer wins);
- `system_tabs(system, membership)` → `{"key", "label", "url"}` for the AI-system page;
- `system_panels(system, membership)` → `{"template", "context"}` shown on the system Overview;
- `team_panels(team, membership)` → `{"template", "context"}` shown on the team page;
- `work_panels(membership)` → `{"template", "context"}` shown on *My team's work*;
- `search(membership, query)` → a list of `governance.search.Group` for the search page.
"""

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _functions(hook: str) -> tuple:
    return tuple(import_string(path) for path in settings.BASTION_EXTENSIONS.get(hook, ()))


def collect(hook: str, **kwargs: Any) -> list:
    """Call every function registered for `hook`; return their answers that are not None."""
    return [answer for function in _functions(hook) if (answer := function(**kwargs)) is not None]
