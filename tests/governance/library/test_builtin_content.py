"""The built-in library, loaded into the database, keeps the promises of issue #3 and DESIGN.md."""

from collections import Counter

import pytest
from django.db.models import Count, Q

from core.choices import Domain
from governance.models import (
    GOVERNANCE_PRACTICES,
    Concern,
    Control,
    Framework,
    FrameworkItem,
    Practice,
    Scenario,
    Threat,
)

pytestmark = pytest.mark.usefixtures("builtin_library")

# DESIGN.md's worked examples and their verdicts.
DESIGN_VERDICTS = {
    "Prompt injection reveals internal instructions": Domain.SECURITY,
    "Chatbot gives self-harm advice without prompting": Domain.SAFETY,
    "Agent schedules repeated appointments from a malformed input": Domain.BOTH,
    "Poisoned training data changes how the model classifies inputs": Domain.BOTH,
    "LLM reinforces discriminatory hiring decisions": Domain.SAFETY,
}


def test_every_control_has_a_domain_a_practice_and_a_mapping_that_resolves():
    controls = Control.objects.annotate(n=Count("mappings"))
    assert controls.count() >= 90
    for control in controls:
        assert control.domain in Domain.values, control.ref
        assert control.practice in Practice.values, control.ref
        assert control.n >= 1, f"{control.ref} maps to nothing"
        assert control.objective and control.guidance and control.evidence_hint, control.ref
    # Every mapping row points at a real item of a built-in framework (none dangling, none foreign).
    through = Control.mappings.through.objects
    assert not through.exclude(frameworkitem__framework__organisation__isnull=True).exists()


def test_every_concern_has_a_control():
    counts = Counter(concern for concerns in Control.objects.values_list("concerns", flat=True) for concern in concerns)
    missing = [c for c in Concern.values if counts[c] == 0]
    assert not missing, f"concerns without a control: {missing}"


def test_all_six_governance_practices_have_security_and_safety_controls():
    pairs = set(Control.objects.values_list("practice", "domain"))
    for practice in GOVERNANCE_PRACTICES:
        assert (practice, Domain.SECURITY) in pairs, practice
        assert (practice, Domain.SAFETY) in pairs, practice


def test_there_is_a_cbrne_frontier_safety_set():
    cbrne = [c for c in Control.objects.filter(practice=Practice.FRONTIER_SAFETY) if "cbrne" in c.concerns]
    assert len(cbrne) >= 6


def test_there_are_at_least_forty_threats_each_mapped():
    threats = Threat.objects.annotate(n=Count("mappings"), c=Count("controls"))
    assert threats.count() >= 40
    assert not threats.filter(Q(n=0) | Q(c=0)).exists()


@pytest.mark.parametrize(
    ("key", "kind", "count"),
    [
        ("nist-ai-rmf-1.0", "subcategory", 72),
        ("nist-ai-600-1", "risk", 12),
        ("owasp-llm-2025", "entry", 10),
        ("owasp-llm-2026", "entry", 10),
        ("owasp-asi-2026", "entry", 10),
    ],
)
def test_frameworks_carry_their_published_items(key, kind, count):
    assert FrameworkItem.objects.filter(framework__key=key, kind=kind).count() == count


def test_every_framework_records_its_source_and_licence():
    keys = set(Framework.objects.values_list("key", flat=True))
    assert {"owasp-llm-2025", "owasp-llm-2026", "owasp-asi-2026", "mitre-atlas-5.6", "iso-42001-2023"} <= keys
    assert {"nist-ai-rmf-1.0", "nist-ai-600-1", "eu-ai-act-2024"} <= keys
    for framework in Framework.objects.all():
        assert framework.url.startswith("https://"), framework.key
        assert framework.licence, framework.key
    assert Framework.objects.get(key="iso-42001-2023").licence == "ids-only"
    assert "CC BY-SA 4.0" in Framework.objects.get(key="owasp-llm-2025").notice


def test_the_eu_ai_act_has_its_tiers_and_articles():
    kinds = Counter(FrameworkItem.objects.filter(framework__key="eu-ai-act-2024").values_list("kind", flat=True))
    assert kinds["tier"] >= 4
    assert FrameworkItem.objects.filter(framework__key="eu-ai-act-2024", ref="Art.15").exists()


@pytest.mark.parametrize(("title", "verdict"), DESIGN_VERDICTS.items())
def test_the_five_scenarios_triage_to_the_design_verdicts(title, verdict):
    scenario = Scenario.objects.get(title=title)
    assert (
        Domain.from_intent(hostile_intent=scenario.hostile_intent, harm_in_benign_use=scenario.harm_in_benign_use)
        == verdict
    )
    assert scenario.expected_domain == verdict
