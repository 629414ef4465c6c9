"""Demo AI systems of Acme AI: six realistic, different profiles."""

from typing import Any

from core.demo import DemoContext

from .library import load_builtin_library
from .models import AISystem, Control
from .services.inventory import ai_system_create
from .services.library import control_create

SYSTEMS: list[dict[str, Any]] = [
    {
        "name": "Support Chatbot",
        "description": "Public customer-support assistant on the website. Answers questions from the help "
        "centre through retrieval, and reads screenshots and files customers attach.",
        "owner_team": "ML Platform",
        "lifecycle_stage": "production",
        "system_type": "chat_assistant",
        "provenance": "third_party_api",
        "model_details": "Hosted frontier LLM through a cloud API, with retrieval over help-centre articles",
        "exposure": "public",
        "autonomy": "none",
        "flags": [
            "generates_text",
            "memory_retrieval",
            "reads_untrusted_content",
            "processes_personal_data",
            "vulnerable_users",
            "serves_eu",
        ],
        "eu_ai_act_tier": "limited",
        "operator_role": "deployer",
    },
    {
        "name": "Code Agent",
        "description": "Internal engineering agent that reads tickets, browses documentation, writes code, "
        "runs tests in a sandbox and opens pull requests.",
        "owner_team": "ML Platform",
        "lifecycle_stage": "production",
        "system_type": "agent",
        "provenance": "third_party_api",
        "model_details": "Hosted coding model through an API; tools: repository, shell sandbox, web fetch",
        "exposure": "internal",
        "autonomy": "human_on_loop",
        "flags": [
            "generates_text",
            "uses_tools",
            "executes_code",
            "web_access",
            "memory_retrieval",
            "reads_untrusted_content",
        ],
        "eu_ai_act_tier": "minimal",
        "operator_role": "deployer",
    },
    {
        "name": "Hiring Screener",
        "description": "Ranks job applicants for recruiters and writes a short summary of each CV. "
        "Recruiters see the ranking first.",
        "owner_team": "Responsible AI",
        "lifecycle_stage": "validation",
        "system_type": "predictive",
        "provenance": "fine_tuned_open_weights",
        "model_details": "Open-weights 8B model fine-tuned on past hiring outcomes",
        "exposure": "internal",
        "autonomy": "human_in_loop",
        "flags": [
            "generates_text",
            "processes_personal_data",
            "decides_about_people",
            "serves_eu",
            "trains_on_user_data",
        ],
        "eu_ai_act_tier": "high",
        "operator_role": "provider_deployer",
    },
    {
        "name": "Fraud Classifier",
        "description": "Scores card transactions for fraud in real time; high scores are held for an analyst. "
        "Retrained weekly on labelled transactions.",
        "owner_team": "Security Engineering",
        "lifecycle_stage": "production",
        "system_type": "predictive",
        "provenance": "in_house",
        "model_details": "Gradient-boosted trees trained in house; score API used by the payments service",
        "exposure": "internal",
        "autonomy": "human_on_loop",
        "flags": ["processes_personal_data", "trains_on_user_data", "exposes_scores"],
        "eu_ai_act_tier": "minimal",
        "operator_role": "provider_deployer",
    },
    {
        "name": "Pricing RL Agent",
        "description": "Reinforcement-learning agent that sets shop prices every hour to maximise margin "
        "within guard bands, acting on the pricing service without approval.",
        "owner_team": "ML Platform",
        "lifecycle_stage": "production",
        "system_type": "rl_agent",
        "provenance": "in_house",
        "model_details": "Policy trained in house with a margin-based reward; writes to the pricing API",
        "exposure": "customer_facing",
        "autonomy": "autonomous",
        "flags": ["uses_tools", "uses_reinforcement_learning", "trains_on_user_data"],
        "eu_ai_act_tier": "minimal",
        "operator_role": "provider_deployer",
    },
    {
        "name": "Frontier Research Model",
        "description": "General-purpose model trained in house for research partners; strong in chemistry "
        "and biology and able to call lab-planning and literature tools.",
        "owner_team": "Responsible AI",
        "lifecycle_stage": "validation",
        "system_type": "foundation_model",
        "provenance": "in_house",
        "model_details": "70B general-purpose model; weights shared with two partner labs",
        "exposure": "customer_facing",
        "autonomy": "human_on_loop",
        "flags": [
            "generates_text",
            "uses_tools",
            "web_access",
            "dual_use_capability",
            "weights_exposed",
            "exposes_scores",
        ],
        "eu_ai_act_tier": "gpai_systemic",
        "operator_role": "provider",
    },
]


def system_data(spec: dict, teams: dict) -> dict:
    from .models import CAPABILITY_FLAGS

    data = {k: v for k, v in spec.items() if k not in ("flags", "owner_team")}
    data["owner_team"] = teams[spec["owner_team"]]
    data.update({flag: flag in spec["flags"] for flag in CAPABILITY_FLAGS})
    return data


def seed_inventory(ctx: DemoContext) -> None:
    admin = ctx.users["admin"]
    for spec in SYSTEMS:
        system = AISystem.objects.filter(organisation=ctx.org, name=spec["name"]).first()
        if system is None:
            system = ai_system_create(actor=admin, organisation=ctx.org, data=system_data(spec, ctx.teams))
        ctx.systems[spec["name"]] = system
    ctx.log(f"  inventory: {len(SYSTEMS)} AI systems")


# One control of Acme's own, so the demo shows how an organisation extends the library.
ACME_CONTROL = {
    "ref": "ACME-01",
    "title": "Delete assistant transcripts after 90 days",
    "objective": "Conversations customers have with our assistants are kept no longer than our retention "
    "policy allows, in the chat store, the logs and the evaluation sets built from them.",
    "guidance": "Set a 90-day expiry on the transcript store and on every log index that holds prompts or "
    "answers. Copy transcripts into evaluation sets only after removing names, e-mail addresses and order "
    "numbers, and give those sets the same expiry. Check the expiry jobs monthly.",
    "evidence_hint": "Retention settings of each store, the last three runs of the expiry job, and the "
    "redaction step of the evaluation-set pipeline.",
    "domain": "safety",
    "practice": "data_governance",
    "applies_when": {"all": [{"flag": "generates_text"}, {"flag": "processes_personal_data"}]},
    "review_cadence_days": 180,
    "mappings": ["nist-ai-600-1:data-privacy", "iso-42001-2023:A.7.2", "owasp-llm-2025:LLM02", "owasp-llm-2026:LLM02"],
    "concerns": ["privacy", "sensitive_disclosure"],
}


def seed_library(ctx: DemoContext) -> None:
    """The built-in library (a no-op when `make demo` has already run load_library) and Acme's own control."""
    report = load_builtin_library()
    ctx.log(f"  library: {report}")
    if not Control.objects.filter(organisation=ctx.org, ref=ACME_CONTROL["ref"]).exists():
        control_create(actor=ctx.users["admin"], organisation=ctx.org, spec=ACME_CONTROL)
    ctx.log(f"  library: Acme's own control {ACME_CONTROL['ref']}")
