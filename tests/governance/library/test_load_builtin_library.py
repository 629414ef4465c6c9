"""load_builtin_library / manage.py load_library: idempotent loads and upgrades that keep organisation content."""

import copy
import io

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from governance.library import import_document, load_builtin_library
from governance.library.documents import builtin_document
from governance.models import Control, Framework, FrameworkItem, Scenario, Threat
from tests.factories import (
    ControlFactory,
    FrameworkFactory,
    FrameworkItemFactory,
    OrganisationFactory,
    ThreatFactory,
)


def test_it_loads_the_whole_release_and_reports_what_it_created(db):
    report = load_builtin_library()
    document = builtin_document()
    assert report.counts["controls"].created == len(document["controls"]) == Control.objects.count()
    assert report.counts["threats"].created == Threat.objects.count() == len(document["threats"])
    assert report.counts["frameworks"].created == Framework.objects.count() == len(document["frameworks"])
    assert report.counts["items"].created == FrameworkItem.objects.count()
    assert report.counts["scenarios"].created == Scenario.objects.count() == 5
    atlas_sub = FrameworkItem.objects.get(framework__key="mitre-atlas-5.6", ref="AML.T0051.000")
    assert atlas_sub.parent.ref == "AML.T0051"


def test_a_second_load_changes_nothing(builtin_library, django_assert_max_num_queries):
    before = dict(Control.objects.values_list("ref", "updated_at"))
    with django_assert_max_num_queries(20):  # reads only: tests call it for every test that needs it
        report = load_builtin_library()
    assert not report.changed
    assert report.counts["controls"].unchanged == Control.objects.count()
    assert dict(Control.objects.values_list("ref", "updated_at")) == before


def test_the_command_loads_and_can_run_again(db):
    out = io.StringIO()
    call_command("load_library", stdout=out)
    call_command("load_library", stdout=out)
    first, second = out.getvalue().splitlines()
    n = len(builtin_document()["controls"])
    # Created, or unchanged when an earlier test of this module already loaded it (the library
    # fixture is shared by the module).
    assert f"controls: {n} created" in first or f"controls: {n} unchanged" in first
    assert f"controls: {n} unchanged" in second
    assert Control.objects.builtin().count() == n


@pytest.fixture
def organisation_content(org, builtin_library):
    """An organisation that built on the built-in library: its own control, framework and threat."""
    tm01 = Control.objects.get(ref="TM-01", organisation=None)
    llm01 = FrameworkItem.objects.get(framework__key="owasp-llm-2025", ref="LLM01")
    own = ControlFactory(organisation=org, ref="ACME-01", mappings=[llm01])
    own_framework = FrameworkFactory(organisation=org, key="acme-policy-2026")
    FrameworkItemFactory(framework=own_framework, ref="P-1")
    threat = ThreatFactory(organisation=org, ref="ACME-T1")
    threat.controls.set([tm01])
    return {"control": own, "framework": own_framework, "threat": threat, "tm01": tm01, "llm01": llm01}


def next_release():
    """The shipped release with an edited title, a dropped control and a dropped framework item."""
    document = copy.deepcopy(builtin_document())
    ph01 = next(c for c in document["controls"] if c["ref"] == "PH-01")
    ph01["title"] = "Screen every untrusted input for prompt injection"
    document["controls"] = [c for c in document["controls"] if c["ref"] != "TM-01"]
    for entry in document["threats"] + document["scenarios"]:
        entry["controls"] = [ref for ref in entry.get("controls", []) if ref != "TM-01"]
    owasp = next(f for f in document["frameworks"] if f["key"] == "owasp-llm-2025")
    owasp["items"] = [i for i in owasp["items"] if i["ref"] != "LLM01"]
    for entry in document["controls"] + document["threats"] + document["scenarios"]:
        entry["mappings"] = [m for m in entry.get("mappings", []) if m != "owasp-llm-2025:LLM01"]
    return document


def test_a_release_updates_builtin_rows_in_place_and_retires_what_it_drops(organisation_content):
    ph01 = Control.objects.get(ref="PH-01")
    report = import_document(next_release())
    assert report.counts["controls"].retired == 1
    assert report.counts["items"].retired == 1
    updated = Control.objects.get(pk=ph01.pk)  # the same row: whatever points at it stays valid
    assert updated.title == "Screen every untrusted input for prompt injection"
    assert updated.version == ph01.version + 1
    tm01 = Control.objects.get(pk=organisation_content["tm01"].pk)
    assert tm01.retired_at is not None  # retired, not deleted: still readable
    assert FrameworkItem.objects.get(pk=organisation_content["llm01"].pk).retired_at is not None


def test_a_release_never_touches_organisation_content(organisation_content):
    own = organisation_content["control"]
    import_document(next_release())
    again = Control.objects.get(pk=own.pk)
    assert (again.title, again.version, again.updated_at, again.retired_at) == (
        own.title,
        own.version,
        own.updated_at,
        None,
    )
    # Its links to built-in rows the release retired are kept, so nothing assigned loses its meaning.
    assert list(again.mappings.all()) == [organisation_content["llm01"]]
    assert list(organisation_content["threat"].controls.all()) == [organisation_content["tm01"]]
    assert Framework.objects.get(pk=organisation_content["framework"].pk).retired_at is None


def test_a_later_release_brings_retired_rows_back(organisation_content):
    llm01 = organisation_content["llm01"]
    mapped = set(llm01.controls.filter(organisation=None))
    import_document(next_release())
    assert not llm01.controls.filter(organisation=None).exists()
    load_builtin_library()
    assert set(llm01.controls.filter(organisation=None)) == mapped
    assert Control.objects.get(ref="TM-01").retired_at is None
    assert FrameworkItem.objects.get(pk=organisation_content["llm01"].pk).retired_at is None
    assert Control.objects.get(ref="PH-01").title.startswith("Prompt-injection input screening")


def test_a_release_without_a_section_leaves_that_section_alone(builtin_library):
    only_scenarios = {"version": 1, "scenarios": builtin_document()["scenarios"]}
    report = import_document(only_scenarios)
    assert report.counts["scenarios"].unchanged == 5
    assert not Control.objects.filter(retired_at__isnull=False).exists()
    assert not Framework.objects.filter(retired_at__isnull=False).exists()


def test_a_release_that_changes_the_library_is_an_event_in_every_organisation(organisation_content, org):
    """Every organisation reads the built-in rows, so each one's trail says when a release changed
    them, with the counts; a load that changes nothing records nothing."""
    other = OrganisationFactory()
    load_builtin_library()
    assert not AuditEvent.objects.filter(action="governance.library.release_loaded").exists()
    report = import_document(next_release())
    events = AuditEvent.objects.filter(action="governance.library.release_loaded")
    assert sorted(e.organisation_id for e in events) == sorted([org.pk, other.pk])
    assert all(e.after == {"counts": report.as_dict()} and e.actor is None for e in events)
