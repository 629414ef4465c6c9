"""manage.py import_library: all of a file or none of it, with every problem listed."""

import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from governance.models import Control, Framework, FrameworkItem, Threat

ORG_FILE = {
    "version": 1,
    "frameworks": [
        {
            "key": "acme-policy-2026",
            "edition": "2026",
            "name": "Acme AI policy",
            "url": "https://intranet.example.test/ai-policy",
            "licence": "internal",
            "items": [{"ref": "P-1", "title": "Every AI system has an owner"}],
        }
    ],
    "controls": [
        {
            "ref": "ACME-01",
            "title": "Name an owner for every AI system",
            "objective": "Each system has a named owner who answers for it.",
            "domain": "both",
            "practice": "inventory",
            "applies_when": "always",
            "mappings": ["acme-policy-2026:P-1", "owasp-llm-2025:LLM06"],
        }
    ],
    "threats": [
        {
            "ref": "ACME-T1",
            "title": "Nobody answers for a misbehaving system",
            "domain": "safety",
            "surface": "output",
            "mappings": ["acme-policy-2026:P-1"],
            "controls": ["ACME-01", "IR-01"],
        }
    ],
}


@pytest.fixture
def write(tmp_path):
    def write(content, name="library.yaml"):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
        return str(path)

    return write


def counts():
    return Framework.objects.count(), FrameworkItem.objects.count(), Control.objects.count(), Threat.objects.count()


def test_it_imports_into_an_organisation_with_an_audit_event(builtin_library, org, write):
    call_command("import_library", write(ORG_FILE), organisation=org.slug, stdout=io.StringIO())
    own = Control.objects.get(organisation=org, ref="ACME-01")
    assert sorted(f"{i.framework.key}:{i.ref}" for i in own.mappings.all()) == [
        "acme-policy-2026:P-1",
        "owasp-llm-2025:LLM06",
    ]
    threat = Threat.objects.get(organisation=org, ref="ACME-T1")
    assert sorted(c.ref for c in threat.controls.all()) == ["ACME-01", "IR-01"]
    event = AuditEvent.objects.get(organisation=org, action="governance.library.imported")
    assert event.after["counts"]["controls"]["created"] == 1
    assert event.after["counts"]["items"]["created"] == 1


def test_importing_the_same_file_again_changes_nothing(builtin_library, org, write):
    path = write(json.dumps(ORG_FILE), "library.json")
    call_command("import_library", path, organisation=org.slug, stdout=io.StringIO())
    version = Control.objects.get(organisation=org, ref="ACME-01").version
    call_command("import_library", path, organisation=org.slug, stdout=io.StringIO())
    assert Control.objects.get(organisation=org, ref="ACME-01").version == version


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda d: d["controls"][0].pop("title"), "controls[ACME-01]: missing required field 'title'"),
        (
            lambda d: d["controls"][0].update(domain="safty"),
            "controls[ACME-01].domain: 'safty' is not one of security, safety, both",
        ),
        (
            lambda d: d["controls"][0].update(practice="paperwork"),
            "controls[ACME-01].practice: 'paperwork' is not one of",
        ),
        (
            lambda d: d["controls"][0]["mappings"].append("owasp-llm-2025:LLM11"),
            "controls[ACME-01].mappings[2]: unknown item 'owasp-llm-2025:LLM11'",
        ),
        (
            # A deep copy: a shared list would be written with a YAML alias, which the import refuses.
            lambda d: d["threats"].append(json.loads(json.dumps(d["threats"][0]))),
            "threats[1]: duplicate ref 'ACME-T1'",
        ),
        (
            lambda d: d["frameworks"][0].update(items="P-1"),
            "frameworks[acme-policy-2026].items: expected a list, got a string",
        ),
        (
            lambda d: d["controls"][0].update(ref="PH-01"),
            "controls[PH-01].ref: 'PH-01' is already used by the built-in library",
        ),
    ],
)
def test_a_bad_file_is_rejected_with_a_precise_message_and_nothing_written(builtin_library, org, write, change, error):
    document = json.loads(json.dumps(ORG_FILE))
    change(document)
    before = counts()
    with pytest.raises(CommandError) as raised:
        call_command("import_library", write(document), organisation=org.slug)
    assert error in str(raised.value)
    assert "nothing was written" in str(raised.value)
    assert counts() == before
    assert not AuditEvent.objects.filter(action="governance.library.imported").exists()


def test_every_error_of_a_file_is_listed(builtin_library, org, write):
    document = json.loads(json.dumps(ORG_FILE))
    document["controls"][0]["domain"] = "x"
    document["threats"][0]["surface"] = "y"
    with pytest.raises(CommandError) as raised:
        call_command("import_library", write(document), organisation=org.slug)
    assert "2 problem(s)" in str(raised.value)
    assert "controls[ACME-01].domain" in str(raised.value)
    assert "threats[ACME-T1].surface" in str(raised.value)


def test_a_file_that_is_not_yaml_is_rejected(db, org, write):
    with pytest.raises(CommandError, match=r"line \d+: invalid YAML"):
        call_command("import_library", write("controls: [\n  - ref: x\n"), organisation=org.slug)


def test_an_unknown_organisation_is_refused(db, write):
    with pytest.raises(CommandError, match="no organisation with the short name 'nope'"):
        call_command("import_library", write(ORG_FILE), organisation="nope")


def test_without_an_organisation_the_file_is_a_builtin_release(builtin_library, write):
    release = {"version": 1, "controls": [dict(ORG_FILE["controls"][0], mappings=["owasp-llm-2025:LLM06"])]}
    call_command("import_library", write(release), stdout=io.StringIO())
    assert Control.objects.get(ref="ACME-01").organisation is None
    # A release lists the whole controls section: every other built-in control is retired, none deleted.
    assert Control.objects.filter(organisation=None, retired_at__isnull=True).count() == 1
    assert Control.objects.filter(organisation=None).count() > 90
