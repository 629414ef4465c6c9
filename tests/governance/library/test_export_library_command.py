"""manage.py export_library: the exchange contract, canonical output, and an identical round trip."""

import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command

from governance.models import Control, Framework, Scenario, Threat
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory


def export(**options) -> str:
    out = io.StringIO()
    call_command("export_library", stdout=out, **options)
    return out.getvalue()


def empty_the_library():
    for model in (Scenario, Threat, Control, Framework):
        model.objects.all().delete()


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_export_then_import_into_an_empty_database_then_export_is_identical(builtin_library, tmp_path, fmt):
    first = export(format=fmt)
    empty_the_library()
    path = tmp_path / f"library.{fmt}"
    path.write_text(first, encoding="utf-8")
    call_command("import_library", str(path), stdout=io.StringIO())
    assert export(format=fmt) == first


def test_an_organisations_content_round_trips_on_top_of_the_builtin_library(builtin_library, org, tmp_path):
    llm01 = Framework.objects.get(key="owasp-llm-2025").items.get(ref="LLM01")
    policy = FrameworkFactory(organisation=org, key="acme-policy-2026", notice="Internal use only.")
    parent = FrameworkItemFactory(framework=policy, ref="P-1", kind="category", position=0)
    child = FrameworkItemFactory(framework=policy, ref="P-1.1", parent=parent, position=1)
    ControlFactory(
        organisation=org,
        ref="ACME-01",
        applies_when={"any": [{"flag": "uses_tools"}, {"field": "exposure", "in": ["public"]}]},
        concerns=["prompt_injection"],
        guidance="Line one.\n\nLine two.",
        mappings=[child, llm01],
    )
    first = export(format="yaml", organisation=org.slug)
    Control.objects.filter(organisation=org).delete()
    Framework.objects.filter(organisation=org).delete()
    path = tmp_path / "acme.yaml"
    path.write_text(first, encoding="utf-8")
    call_command("import_library", str(path), organisation=org.slug, stdout=io.StringIO())
    assert export(format="yaml", organisation=org.slug) == first


def test_the_export_follows_the_documented_contract(builtin_library):
    document = json.loads(export(format="json"))
    assert list(document) == ["version", "frameworks", "controls", "threats", "scenarios"]
    assert document["version"] == 1
    for framework in document["frameworks"]:
        assert {"key", "edition", "name", "url", "licence", "items"} <= framework.keys()
        assert all({"ref", "title"} <= item.keys() for item in framework["items"])
    for control in document["controls"]:
        assert {"ref", "title", "objective", "domain", "practice", "applies_when", "mappings"} <= control.keys()
        assert all(isinstance(m, str) and ":" in m for m in control["mappings"])
    for threat in document["threats"]:
        assert {"ref", "title", "domain", "surface", "mappings", "controls"} <= threat.keys()
    assert [c["ref"] for c in document["controls"]] == sorted(c["ref"] for c in document["controls"])
    ph01 = next(c for c in document["controls"] if c["ref"] == "PH-01")
    assert ph01["mappings"][:2] == ["eu-ai-act-2024:Art.15", "iso-42001-2023:A.6.2.6"]  # by framework key
    assert ph01["applies_when"] == {"flag": "generates_text"}


def test_yaml_and_json_exports_hold_the_same_library(builtin_library):
    assert yaml.safe_load(export(format="yaml")) == json.loads(export(format="json"))


def test_retired_rows_are_left_out(builtin_library):
    Control.objects.filter(ref="TM-01").update(retired_at="2026-01-01T00:00:00Z")
    document = json.loads(export(format="json"))
    assert "TM-01" not in {c["ref"] for c in document["controls"]}
    assert all("TM-01" not in t.get("controls", []) for t in document["threats"])


def test_it_writes_to_a_file(builtin_library, tmp_path):
    path = tmp_path / "out.json"
    call_command("export_library", format="json", output=path)
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1


def test_an_unknown_organisation_is_refused(db):
    with pytest.raises(CommandError, match="no organisation"):
        export(organisation="nope")


def test_out_of_scope_reasons_and_notes_of_items_are_exported(builtin_library):
    from governance.library.exporter import export_document

    items = {f"{fw['key']}:{item['ref']}": item for fw in export_document()["frameworks"] for item in fw["items"]}
    assert items["eu-ai-act-2024:Art.70"]["out_of_scope"].startswith("Addressed to Member States")
    assert "AML.T0115.000" in items["mitre-atlas-5.6:AML.T0019"]["note"]
    assert "out_of_scope" not in items["eu-ai-act-2024:Art.9"] and "note" not in items["eu-ai-act-2024:Art.9"]
