"""What a new plan starts with besides its playbooks: severity levels, and the external
notifications its systems' profiles call for. The author adapts both on the edit page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import NotificationKind, PlanRoleKind

HOUR = 60
DAY = 24 * HOUR


def severity_levels() -> list[dict]:
    return [
        {
            "name": _("SEV1 – critical"),
            "criteria": _("People harmed or at risk, a large data leak, or a system out of control."),
            "respond_within_minutes": 15,
            "update_every_minutes": HOUR,
        },
        {
            "name": _("SEV2 – high"),
            "criteria": _("Confirmed misuse or unsafe behaviour reaching users, limited in reach."),
            "respond_within_minutes": HOUR,
            "update_every_minutes": 4 * HOUR,
        },
        {
            "name": _("SEV3 – medium"),
            "criteria": _("A weakness found or attempted misuse, no harm confirmed."),
            "respond_within_minutes": 4 * HOUR,
            "update_every_minutes": DAY,
        },
        {
            "name": _("SEV4 – low"),
            "criteria": _("Minor quality or policy issue; handled in normal work."),
            "respond_within_minutes": DAY,
            "update_every_minutes": 7 * DAY,
        },
    ]


def notifications(systems) -> list[dict]:
    """The serious-incident report for high-risk systems used in the EU, and the breach
    notification for systems that handle personal data."""
    systems = list(systems)
    found = []
    if any(s.eu_ai_act_tier == "high" for s in systems):
        found.append(
            {
                "kind": NotificationKind.EU_AI_ACT_SERIOUS_INCIDENT.value,
                "recipient": _("Market-surveillance authority of the member state where it happened"),
                "trigger": _("A serious incident involving a high-risk system (report at the latest within 15 days)."),
                "deadline_hours": 15 * 24,
                "owner_role": PlanRoleKind.LEGAL_PRIVACY.value,
            }
        )
    if any(s.processes_personal_data for s in systems):
        found.append(
            {
                "kind": NotificationKind.DATA_PROTECTION_BREACH.value,
                "recipient": _("Data-protection supervisory authority"),
                "trigger": _("A breach of personal data that is likely to put people's rights at risk."),
                "deadline_hours": 72,
                "owner_role": PlanRoleKind.LEGAL_PRIVACY.value,
            }
        )
    return found
