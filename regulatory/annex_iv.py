"""The Annex IV technical documentation draft of a high-risk system, written from live records.

Each section follows a point of Annex IV of the EU AI Act (the point numbers are the Act's; the
headings and prompts are ours). A section lists what Bastion holds for it (profile, questionnaire
answers, controls and their evidence, threat models, red-team exercises, the risk register, the
provider's statements) and, as **missing information**, what it does not know, each with a link to
the page where it is entered. A missing item is listed exactly when its source is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from components.models import DatasetUse

from .facts import SystemFacts, system_facts
from .models import TechnicalFile

LOGGING_ARTICLE = "Art.12"
OVERSIGHT_ARTICLE = "Art.14"
ROBUSTNESS_ARTICLE = "Art.15"
MONITORING_ARTICLE = "Art.72"


@dataclass(frozen=True)
class Missing:
    key: str
    label: str
    url: str
    where: str


@dataclass
class Section:
    point: str
    title: str
    prompt: str
    entries: list[tuple[str, str]] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)

    def add(self, label: str, text: Any) -> None:
        if text not in (None, "", []):
            self.entries.append((label, str(text)))


@dataclass
class TechnicalFileDraft:
    system: Any
    statements: TechnicalFile | None
    sections: list[Section]
    generated_at: Any

    @property
    def missing(self) -> list[Missing]:
        return [m for s in self.sections for m in s.missing]

    @property
    def version(self) -> str:
        """Which inputs the draft reflects: the profile's version and the statements' version."""
        statements = self.statements.version if self.statements else 0
        return f"profile v{self.system.version} · statements v{statements}"


class _Links:
    def __init__(self, system):
        args = [system.organisation.slug, system.pk]
        self.questionnaire = reverse("assessments:system_assessment", args=args)
        self.controls = reverse("assessments:system_controls", args=args)
        self.threat_models = reverse("threats:system_threat_models", args=args)
        self.red_team = reverse("threats:system_exercises", args=args)
        self.risks = reverse("risks:system_risks", args=args)
        self.alignment = reverse("alignment:system_reviews", args=args)
        self.statements = reverse("regulatory:technical_file_edit", args=args)
        self.components = reverse("components:system_components", args=args)


def _component_line(c) -> str:
    details = [c.release, c.supplier, c.licence]
    if c.kind == "model":
        details += [c.get_provenance_display() if c.provenance else "", c.weights_location, c.model_card_url]
    if c.kind == "dataset":
        uses = dict(DatasetUse.choices)
        details += [
            ", ".join(str(uses.get(u, u)).lower() for u in c.dataset_uses or []),
            _("personal data") if c.personal_data else "",
        ]
    if c.kind in ("tool", "mcp_server"):
        details += [c.can_change, c.endpoint, c.get_approval_display()]
    return f"{c.name}: " + "; ".join(d for d in details if d) if any(details) else c.name


def _controls_text(assignments) -> str:
    return "\n".join(
        f"{a.control_ref} {a.control_title}: {a.status_label} ({a.evidence} evidence)" for a in assignments
    )


def build(system, facts: SystemFacts | None = None) -> TechnicalFileDraft:
    """The draft as it stands now. Queries: the facts (fixed) and the provider's statements."""
    facts = facts or system_facts(system)
    statements = TechnicalFile.objects.filter(ai_system=system).first()
    said = {name: getattr(statements, name, "") or "" for name in TechnicalFile.TEXT_FIELDS}
    links = _Links(system)
    where_questions = _("Assessment questionnaire")
    where_statements, where_controls = _("Technical file statements"), _("Controls of the system")

    def need(section: Section, present: Any, key: str, label: str, url: str, where: str) -> None:
        if present in (None, "", [], False):
            section.missing.append(Missing(key, label, url, where))

    def statement(section: Section, name: str, label: str) -> None:
        section.add(label, said[name])
        need(section, said[name], name, label, links.statements, where_statements)

    # 1. General description
    s1 = Section(
        "1",
        _("General description of the system"),
        _(
            "What the system is for, who provides it, which version this is, how it interacts with other "
            "hardware, software and AI systems, how it is supplied and what deployers are told about using it."
        ),
    )
    s1.add(_("Name"), system.name)
    s1.add(_("Provider"), system.organisation.name)
    s1.add(_("Description"), system.description)
    s1.add(_("Intended purpose"), facts.answer_text("intended_use"))
    need(s1, facts.answer("intended_use"), "intended_use", _("Intended purpose"), links.questionnaire, where_questions)
    s1.add(_("System type"), system.get_system_type_display())
    s1.add(_("Model and vendor"), system.model_details)
    parts = facts.components
    where_components = _("Components of the system")
    s1.add(_("Models"), "\n".join(_component_line(c) for c in parts.models))
    need(s1, parts.models, "models", _("The models it uses (components)"), links.components, where_components)
    s1.add(_("Tools, actions and MCP servers"), "\n".join(_component_line(c) for c in parts.tools + parts.mcp_servers))
    if system.uses_tools:
        need(
            s1,
            parts.tools + parts.mcp_servers,
            "tools",
            _("The tools and MCP servers it can call (components)"),
            links.components,
            where_components,
        )
    s1.add(_("Third-party services"), "\n".join(_component_line(c) for c in parts.services))
    s1.add(_("Lifecycle stage"), system.get_lifecycle_stage_display())
    s1.add(_("Who can send it input"), system.get_exposure_display())
    s1.add(_("Capabilities"), ", ".join(str(label) for _name, label in system.enabled_flags()))
    s1.add(_("Actions it can take"), facts.answer_text("tool_actions"))
    statement(s1, "instructions_for_use", _("Instructions for use"))
    statement(s1, "hardware_and_deployment", _("Hardware, software and how it is supplied"))

    # 2. Elements and development process
    s2 = Section(
        "2",
        _("How the system was built"),
        _(
            "The development method, third-party models and tools, design choices and architecture, the data "
            "used and where it came from, the human-oversight measures, how it was validated and tested "
            "(accuracy, robustness, discriminatory effects) and its cybersecurity measures."
        ),
    )
    s2.add(_("Model provenance"), system.get_provenance_display())
    statement(s2, "design_choices", _("Design choices and architecture"))
    s2.add(_("Kinds of data used"), facts.answer_text("data_sources"))
    s2.add(_("Datasets"), "\n".join(_component_line(c) for c in parts.datasets))
    need(s2, parts.datasets, "datasets", _("The datasets used (components)"), links.components, where_components)
    s2.add(_("Personal data"), _("yes") if system.processes_personal_data else _("no"))
    approved_tms = facts.approved(facts.threat_models)
    s2.add(
        _("Threat models"),
        "\n".join(
            _("%(title)s (v%(v)s, approved %(when)s, %(n)s threats)")
            % {"title": tm.title, "v": tm.record_version, "when": tm.approved_at.date(), "n": tm.entry_count}
            for tm in approved_tms
        ),
    )
    need(s2, approved_tms, "threat_model", _("An approved threat model"), links.threat_models, _("Threat models"))
    approved_exercises = facts.approved(facts.exercises)
    s2.add(
        _("Adversarial testing (red teaming)"),
        "\n".join(
            _("%(title)s, %(start)s to %(end)s: %(n)s findings, %(open)s open")
            % {"title": e.title, "start": e.starts_on, "end": e.ends_on, "n": e.finding_count, "open": e.open_findings}
            for e in approved_exercises
        ),
    )
    need(
        s2, approved_exercises, "red_team", _("An approved red-team exercise"), links.red_team, _("Red-team exercises")
    )
    approved_reviews = facts.approved(facts.alignment_reviews)
    s2.add(
        _("Accuracy, robustness and bias evaluations (alignment reviews)"),
        "\n".join(
            _("%(title)s: %(decision)s on %(when)s; scope: %(scope)s; %(n)s findings")
            % {
                "title": r.title,
                "decision": r.get_decision_display().lower(),
                "when": r.decided_at.date() if r.decided_at else "",
                "scope": ", ".join(r.scope_labels),
                "n": r.finding_count,
            }
            for r in approved_reviews
        ),
    )
    need(
        s2,
        approved_reviews,
        "alignment_review",
        _("An approved alignment review (accuracy, robustness, bias)"),
        links.alignment,
        _("Alignment reviews"),
    )
    robustness = facts.by_article.get(ROBUSTNESS_ARTICLE, [])
    s2.add(_("Accuracy, robustness and cybersecurity controls (Art. 15)"), _controls_text(robustness))
    need(
        s2,
        facts.verified_for(ROBUSTNESS_ARTICLE),
        "robustness_controls",
        _("A verified accuracy, robustness or cybersecurity control"),
        links.controls,
        where_controls,
    )

    # 3. Monitoring, functioning and control
    s3 = Section(
        "3",
        _("How it performs and how it is controlled"),
        _(
            "What the system can and cannot do, how accurate it is for the people and groups it is used on, "
            "foreseeable unintended outcomes and sources of risk, the human-oversight measures and what input "
            "it expects."
        ),
    )
    s3.add(_("Who uses it or is affected"), facts.answer_text("audiences"))
    s3.add(_("Decisions about people"), facts.answer_text("decision_areas"))
    s3.add(_("Worst credible failure"), facts.answer_text("worst_case"))
    need(
        s3, facts.answer("worst_case"), "worst_case", _("Worst credible failure"), links.questionnaire, where_questions
    )
    s3.add(_("Kinds of harm"), facts.answer_text("harm_types"))
    s3.add(_("Autonomy"), system.get_autonomy_display())
    s3.add(_("Human oversight"), facts.answer_text("human_oversight"))
    need(
        s3,
        facts.answer("human_oversight"),
        "human_oversight",
        _("How people oversee the system"),
        links.questionnaire,
        where_questions,
    )
    s3.add(_("Human-oversight controls (Art. 14)"), _controls_text(facts.by_article.get(OVERSIGHT_ARTICLE, [])))

    # 4. Performance metrics
    s4 = Section(
        "4",
        _("Why the performance metrics fit"),
        _("The metrics used to judge accuracy and robustness, their targets, and why they suit this system."),
    )
    statement(s4, "performance_metrics", _("Performance metrics"))
    s4.add(
        _("Measured in alignment reviews"),
        "\n".join(f"{m.get_scope_area_display()}: {m.summary()}" for r in approved_reviews for m in r.metrics.all()),
    )

    # 5. Risk management (Art. 9)
    s5 = Section(
        "5",
        _("Risk management"),
        _("The risk-management system: the risks identified, how they were rated, treated and accepted."),
    )
    approved_risks = facts.approved(facts.risks)
    s5.add(
        _("Risk register"),
        "\n".join(
            _("%(title)s: %(domain)s, residual %(score)s, %(treatment)s, %(status)s")
            % {
                "title": r.title,
                "domain": r.get_domain_display(),
                "score": r.residual_score,
                "treatment": r.get_treatment_display().lower(),
                "status": r.get_status_display().lower(),
            }
            for r in facts.risks
        ),
    )
    need(s5, approved_risks, "risk_register", _("An approved risk in the risk register"), links.risks, _("Risks"))

    # 6. Changes over the lifecycle
    s6 = Section(
        "6",
        _("Changes over the lifecycle"),
        _("The relevant changes the provider made to the system through its lifecycle."),
    )
    s6.add(
        _("Profile version"),
        _("v%(v)s, last changed %(when)s") % {"v": system.version, "when": system.updated_at.date()},
    )
    s6.add(
        _("Assessment"),
        facts.assessment
        and _("%(status)s, started %(when)s")
        % {"status": facts.assessment.get_status_display(), "when": facts.assessment.created_at.date()},
    )
    s6.add(_("Where the changes are recorded"), _("Every change is in the system's audit trail (History)."))

    # 7. Standards
    s7 = Section(
        "7",
        _("Standards and specifications applied"),
        _("Harmonised standards or other technical specifications followed, and to what extent."),
    )
    statement(s7, "standards_applied", _("Standards and specifications"))

    # 8. Declaration of conformity
    s8 = Section("8", _("EU declaration of conformity"), _("A copy of, or a reference to, the signed declaration."))
    statement(s8, "declaration_of_conformity", _("Declaration of conformity"))

    # 9. Post-market monitoring (Art. 72) and logging (Art. 12)
    s9 = Section(
        "9",
        _("Performance after release"),
        _("How the system's performance is evaluated once in use: the post-market monitoring plan and the logs."),
    )
    s9.add(_("Logging controls (Art. 12)"), _controls_text(facts.by_article.get(LOGGING_ARTICLE, [])))
    need(
        s9,
        facts.verified_for(LOGGING_ARTICLE),
        "logging_controls",
        _("A verified logging control"),
        links.controls,
        where_controls,
    )
    s9.add(_("Monitoring controls (Art. 72)"), _controls_text(facts.by_article.get(MONITORING_ARTICLE, [])))
    need(
        s9,
        facts.verified_for(MONITORING_ARTICLE),
        "monitoring_controls",
        _("A verified post-market monitoring control"),
        links.controls,
        where_controls,
    )
    statement(s9, "post_market_plan", _("Post-market monitoring plan"))

    return TechnicalFileDraft(
        system=system,
        statements=statements,
        sections=[s1, s2, s3, s4, s5, s6, s7, s8, s9],
        generated_at=timezone.now(),
    )


MISSING_KEYS = [
    "intended_use",
    "models",
    "tools",
    "instructions_for_use",
    "hardware_and_deployment",
    "design_choices",
    "datasets",
    "threat_model",
    "red_team",
    "alignment_review",
    "robustness_controls",
    "worst_case",
    "human_oversight",
    "performance_metrics",
    "risk_register",
    "standards_applied",
    "declaration_of_conformity",
    "logging_controls",
    "monitoring_controls",
    "post_market_plan",
]
