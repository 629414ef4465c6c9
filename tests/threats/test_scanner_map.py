"""The scanner mapping table (threats/scanner_map.yaml) names only what exists in the built-in
library: every threat, every framework item, every severity and domain."""

from core.choices import Domain
from governance.models import FrameworkItem, Threat
from threats.models import Severity
from threats.scanners import scanner_map


def test_every_entry_of_the_mapping_table_names_real_library_entries(builtin_library):
    table = scanner_map()
    entries = [*table["garak"].values(), *table["promptfoo"]["plugins"].values()]
    threats = set(Threat.objects.filter(organisation__isnull=True).values_list("ref", flat=True))
    items = {
        f"{key}:{ref}"
        for key, ref in FrameworkItem.objects.filter(framework__organisation__isnull=True).values_list(
            "framework__key", "ref"
        )
    }
    named = [i for e in entries for i in e["items"]] + [
        i for e in table["promptfoo"]["strategies"].values() for i in e["items"]
    ]
    assert sorted(set(named) - items) == []
    assert sorted({e["threat"] for e in entries if "threat" in e} - threats) == []
    assert {e["severity"] for e in entries} <= set(Severity.values)
    assert {e["domain"] for e in entries} <= set(Domain.values)
    assert all(e["title"].strip() and len(e["title"]) <= 120 for e in entries)
