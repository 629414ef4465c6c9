"""Side by side comparison of two versions of a record: what was added, removed or changed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    label: str
    old: object
    new: object
    change: str  # "same", "changed", "added", "removed"
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    is_list: bool = False


def compare(old, new) -> list[Row]:
    """Compare the `compare_state()` of two versions, label by label. Lists (entries, linked
    controls) report the lines added and removed; text reports changed, added (was empty) or
    removed (is now empty)."""
    before, after = old.compare_state(), new.compare_state()
    rows = []
    for label in dict.fromkeys([*before, *after]):
        a, b = before.get(label, ""), after.get(label, "")
        if isinstance(a, list) or isinstance(b, list):
            a, b = list(a or []), list(b or [])
            added = [x for x in b if x not in a]
            removed = [x for x in a if x not in b]
            change = "same" if not (added or removed) else "changed"
            rows.append(Row(label, a, b, change, added, removed, is_list=True))
            continue
        if a == b:
            change = "same"
        elif not a:
            change = "added"
        elif not b:
            change = "removed"
        else:
            change = "changed"
        rows.append(Row(label, a, b, change))
    return rows
