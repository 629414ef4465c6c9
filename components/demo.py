"""Demo AI-BOM of Acme AI: the components of all six systems, added by members of the owner
teams and (for tools and MCP servers) approved by the security lead, except one MCP server of the
Code Agent that still awaits approval. The Frontier Research Model's web corpus holds personal data
its profile does not claim, so its Components tab shows a profile suggestion. Written through the
services; skipped when the organisation already has components (idempotent)."""

from __future__ import annotations

from typing import Any

from core.demo import DemoContext

from . import services
from .models import Component, Kind
from .workflow import COMPONENT

M, D, T, MCP, S = Kind.MODEL, Kind.DATASET, Kind.TOOL, Kind.MCP_SERVER, Kind.SERVICE

# system → (who adds, [(kind, fields, approved?)])
PLAN: dict[str, tuple[str, list[tuple[str, dict[str, Any], bool]]]] = {
    "Support Chatbot": (
        "platform",
        [
            (
                M,
                {
                    "name": "Hosted assistant model",
                    "release": "2025-06",
                    "supplier": "Cloud AI vendor",
                    "licence": "Proprietary (API terms of service)",
                    "provenance": "third_party_api",
                    "weights_location": "The vendor's cloud, EU data zone; we never hold them.",
                    "model_card_url": "https://vendor.example/models/assistant/card",
                },
                False,
            ),
            (
                D,
                {
                    "name": "Help-centre articles",
                    "supplier": "Our help centre (public pages)",
                    "licence": "Own content",
                    "dataset_uses": ["retrieval"],
                },
                False,
            ),
            (
                D,
                {
                    "name": "Support conversation samples",
                    "supplier": "Chat transcripts, names and order numbers removed before use",
                    "personal_data": True,
                    "dataset_uses": ["evaluation"],
                },
                False,
            ),
            (
                S,
                {
                    "name": "Ticketing service",
                    "supplier": "Helpdesk SaaS vendor",
                    "endpoint": "https://acme.helpdesk.example",
                },
                False,
            ),
        ],
    ),
    "Code Agent": (
        "platform",
        [
            (
                M,
                {
                    "name": "Hosted coding model",
                    "release": "2025-09",
                    "supplier": "Cloud AI vendor",
                    "licence": "Proprietary (API terms of service)",
                    "provenance": "third_party_api",
                    "weights_location": "The vendor's cloud; we never hold them.",
                },
                False,
            ),
            (D, {"name": "Engineering wiki", "supplier": "Internal wiki export", "dataset_uses": ["retrieval"]}, False),
            (
                T,
                {
                    "name": "Open pull request",
                    "can_change": "Creates branches and pull requests in our repositories; cannot merge.",
                    "requires_confirmation": False,
                },
                True,
            ),
            (
                T,
                {
                    "name": "Shell sandbox",
                    "can_change": "Runs commands in a throw-away container without network access or secrets.",
                },
                True,
            ),
            (
                T,
                {
                    "name": "Web fetch",
                    "can_change": "Nothing: reads public web pages (their text can carry injected instructions).",
                },
                True,
            ),
            (
                MCP,
                {
                    "name": "Issue tracker MCP",
                    "release": "1.4.0",
                    "supplier": "Issue tracker vendor",
                    "endpoint": "https://mcp.tracker.example/sse",
                    "scopes": "issues:read\ncomments:write",
                },
                True,
            ),
            (
                MCP,
                {
                    "name": "Internal docs MCP",
                    "release": "0.3.1",
                    "supplier": "Community (open source)",
                    "endpoint": "stdio: npx docs-mcp-server",
                    "scopes": "docs:read\nsearch",
                },
                False,
            ),
        ],
    ),
    "Hiring Screener": (
        "safety",
        [
            (
                M,
                {
                    "name": "Open-weights 8B screener",
                    "release": "ft-2025-03",
                    "supplier": "Open-weights model publisher",
                    "licence": "Apache-2.0",
                    "provenance": "fine_tuned_open_weights",
                    "weights_location": "Internal model registry (ML Platform), access by role.",
                    "model_card_url": "https://models.acme.example/hiring-screener/card",
                },
                False,
            ),
            (
                D,
                {
                    "name": "Past hiring outcomes 2019–2024",
                    "supplier": "Applicant-tracking system export",
                    "licence": "Own records",
                    "personal_data": True,
                    "dataset_uses": ["training", "fine_tuning"],
                },
                False,
            ),
            (
                D,
                {
                    "name": "Synthetic CV evaluation set",
                    "supplier": "Generated in house, no real applicants",
                    "dataset_uses": ["evaluation"],
                },
                False,
            ),
        ],
    ),
    "Fraud Classifier": (
        "security",
        [
            (
                M,
                {
                    "name": "Fraud scoring trees",
                    "release": "weekly-2025-48",
                    "supplier": "Acme AI (in house)",
                    "provenance": "in_house",
                    "weights_location": "Payments feature store cluster.",
                },
                False,
            ),
            (
                D,
                {
                    "name": "Labelled card transactions",
                    "supplier": "Payments ledger with analyst labels",
                    "personal_data": True,
                    "dataset_uses": ["training", "evaluation"],
                },
                False,
            ),
        ],
    ),
    "Pricing RL Agent": (
        "platform",
        [
            (
                M,
                {
                    "name": "Pricing policy",
                    "supplier": "Acme AI (in house)",
                    "provenance": "in_house",
                    "weights_location": "Pricing service cluster.",
                },
                False,
            ),
            (
                D,
                {"name": "Sales history", "supplier": "Order database, aggregated", "dataset_uses": ["training"]},
                False,
            ),
            (
                T,
                {
                    "name": "Set shop prices",
                    "can_change": "Shop prices within the guard bands, every hour.",
                    "requires_confirmation": False,
                },
                True,
            ),
        ],
    ),
    "Frontier Research Model": (
        "safety",
        [
            (
                M,
                {
                    "name": "Frontier 70B",
                    "release": "r2",
                    "supplier": "Acme AI (in house)",
                    "provenance": "in_house",
                    "weights_location": "Evaluation cluster; copies at two partner labs.",
                },
                False,
            ),
            (
                D,
                {
                    "name": "Web pre-training corpus",
                    "supplier": "Public web crawl",
                    "personal_data": True,
                    "dataset_uses": ["training"],
                },
                False,
            ),
            (T, {"name": "Lab-planning tool", "can_change": "Drafts lab protocols; a scientist runs them."}, True),
            (
                MCP,
                {
                    "name": "Literature search MCP",
                    "supplier": "Research database vendor",
                    "endpoint": "https://mcp.papers.example/sse",
                    "scopes": "search:read",
                },
                True,
            ),
        ],
    ),
}


def seed(ctx: DemoContext) -> None:
    if Component.objects.filter(organisation=ctx.org).exists():
        ctx.log("  components: already present")
        return
    approver = ctx.users["lead"]  # leads Security Engineering: a security lead
    count = 0
    for system_name, (adder, parts) in PLAN.items():
        system = ctx.systems[system_name]
        for kind, fields, approve in parts:
            component = services.component_create(
                actor=ctx.users[adder],
                system=system,
                kind=kind,
                data={**fields, "owner_team": system.owner_team},
            )
            if approve:
                COMPONENT.take(actor=approver, record=component, name="approve", expected_version=component.version)
            count += 1
    ctx.log(f"  components: {count} across {len(PLAN)} systems")
